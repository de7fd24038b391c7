// The test's own reading of an HTML page: everything in it that would make
// a browser fetch something (a script, a style sheet, an image, a frame, a
// font, a redirect, a form target), found without the product's code.
// Reports must be self-contained: one file that opens offline, years later.
#pragma once

#include <algorithm>
#include <cctype>
#include <set>
#include <string>
#include <vector>

namespace replsim::testing {

inline std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

struct HtmlAttribute {
  std::string name;   // lower case
  std::string value;  // as written, entities left alone
};

struct HtmlTag {
  std::string name;  // lower case, without '/'
  std::vector<HtmlAttribute> attributes;
  size_t offset = 0;
};

// Start tags with their attributes (quoted, unquoted or bare), in order.
// Comments are skipped; text between tags is not a tag.
inline std::vector<HtmlTag> html_tags(const std::string& html) {
  std::vector<HtmlTag> tags;
  size_t i = 0;
  while ((i = html.find('<', i)) != std::string::npos) {
    if (html.compare(i, 4, "<!--") == 0) {
      const size_t end = html.find("-->", i);
      i = end == std::string::npos ? html.size() : end + 3;
      continue;
    }
    HtmlTag tag;
    tag.offset = i;
    size_t j = i + 1;
    while (j < html.size() && (std::isalnum(static_cast<unsigned char>(html[j])) || html[j] == '-' || html[j] == ':')) {
      tag.name += static_cast<char>(std::tolower(static_cast<unsigned char>(html[j])));
      ++j;
    }
    if (tag.name.empty()) {  // "</x>", "<!DOCTYPE", or a stray '<'
      i = j;
      continue;
    }
    while (j < html.size() && html[j] != '>') {
      while (j < html.size() && (std::isspace(static_cast<unsigned char>(html[j])) || html[j] == '/')) ++j;
      HtmlAttribute a;
      while (j < html.size() && !std::isspace(static_cast<unsigned char>(html[j])) && html[j] != '=' &&
             html[j] != '>' && html[j] != '/') {
        a.name += static_cast<char>(std::tolower(static_cast<unsigned char>(html[j])));
        ++j;
      }
      if (j < html.size() && html[j] == '=') {
        ++j;
        const char quote = j < html.size() && (html[j] == '"' || html[j] == '\'') ? html[j] : '\0';
        if (quote != '\0') ++j;
        while (j < html.size() && (quote != '\0' ? html[j] != quote : !std::isspace(static_cast<unsigned char>(html[j])) && html[j] != '>')) {
          a.value += html[j];
          ++j;
        }
        if (quote != '\0' && j < html.size()) ++j;
      }
      if (!a.name.empty()) tag.attributes.push_back(std::move(a));
    }
    tags.push_back(std::move(tag));
    i = j;
  }
  return tags;
}

// CSS that fetches: url(...) other than a fragment of this page, @import,
// image-set(...).
inline std::vector<std::string> css_fetches(const std::string& css) {
  std::vector<std::string> found;
  const std::string text = lower(css);
  for (size_t at = text.find("url("); at != std::string::npos; at = text.find("url(", at + 4)) {
    size_t k = at + 4;
    while (k < text.size() && (text[k] == ' ' || text[k] == '"' || text[k] == '\'')) ++k;
    if (k >= text.size() || text[k] != '#') found.push_back("url(" + css.substr(at + 4, 40));
  }
  for (const char* rule : {"@import", "image-set(", "@font-face", "expression("}) {
    if (text.find(rule) != std::string::npos) found.push_back(rule);
  }
  return found;
}

// Every place in `html` that would fetch, as "<tag attribute=value>" or the
// CSS that would; empty for a self-contained page.
inline std::vector<std::string> external_fetches(const std::string& html) {
  // Elements whose only purpose is to load or run something.
  static const std::set<std::string> kLoaders = {"script", "link",  "iframe", "frame",  "object", "embed",
                                                 "img",    "video", "audio",  "source", "track",  "base",
                                                 "portal", "applet", "form",  "picture", "frameset"};
  // Attributes that name a resource to load whatever the element.
  static const std::set<std::string> kFetchingAttributes = {
      "src",      "srcset", "poster", "background", "action",  "formaction", "ping",    "manifest",
      "codebase", "archive", "lowsrc", "dynsrc",    "longdesc", "data",      "icon",    "imagesrcset"};
  std::vector<std::string> found;
  const auto add = [&](const HtmlTag& tag, const std::string& what) { found.push_back("<" + tag.name + "> " + what); };
  const std::vector<HtmlTag> tags = html_tags(html);
  for (const HtmlTag& tag : tags) {
    if (kLoaders.contains(tag.name)) add(tag, "loads a resource");
    for (const HtmlAttribute& a : tag.attributes) {
      const std::string value = lower(a.value);
      if (kFetchingAttributes.contains(a.name)) add(tag, a.name + "=" + a.value);
      if (a.name == "http-equiv") add(tag, "http-equiv=" + a.value);
      if (a.name == "style") {
        for (const std::string& css : css_fetches(a.value)) add(tag, "style " + css);
      }
      // Links: an <a> may point at a file beside the report, never at the
      // network; any other element's href (SVG <use>, <image>) must stay
      // inside the page.
      const bool href = a.name == "href" || a.name == "xlink:href";
      const bool absolute = value.find("://") != std::string::npos || value.starts_with("//") ||
                            value.starts_with("data:") || value.starts_with("javascript:");
      if (href && (tag.name == "a" ? absolute : !value.starts_with("#"))) add(tag, a.name + "=" + a.value);
      // The SVG namespace is a name, not a fetch; any other absolute URL in
      // an attribute of a non-link is suspect.
      if (!href && a.name != "xmlns" && a.name != "xmlns:xlink" &&
          (value.find("http://") != std::string::npos || value.find("https://") != std::string::npos)) {
        add(tag, a.name + "=" + a.value);
      }
    }
    if (tag.name == "style") {
      const size_t open = html.find('>', tag.offset);
      const size_t close = lower(html).find("</style", open);
      for (const std::string& css : css_fetches(html.substr(open + 1, close - open - 1))) add(tag, css);
    }
  }
  return found;
}

}  // namespace replsim::testing
