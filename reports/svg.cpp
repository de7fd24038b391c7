#include "reports/svg.h"

#include <fmt/format.h>

namespace replsim::reports {

std::string escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

namespace {
std::string titled(const std::string& element, const std::string& title) {
  if (title.empty()) return element + "/>";
  return element + "><title>" + escape(title) + "</title></" + element.substr(1, element.find(' ') - 1) + ">";
}
}  // namespace

Svg::Svg(double width, double height, const std::string& css_class, const std::string& label)
    : width_(width), height_(height), css_class_(css_class), label_(label) {}

void Svg::rect(double x, double y, double w, double h, const std::string& fill, const std::string& title,
               double opacity) {
  body_ += titled(fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\" "
                              "fill-opacity=\"{:.2f}\"",
                              x, y, std::max(w, 0.5), std::max(h, 0.5), fill, opacity),
                  title);
}

void Svg::line(double x1, double y1, double x2, double y2, const std::string& stroke, double width,
               const std::string& dash) {
  body_ +=
      fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" stroke-width=\"{}\"{}/>",
                  x1, y1, x2, y2, stroke, width, dash.empty() ? "" : " stroke-dasharray=\"" + dash + "\"");
}

void Svg::circle(double x, double y, double r, const std::string& fill, const std::string& title) {
  body_ += titled(fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"{}\" fill=\"{}\"", x, y, r, fill), title);
}

void Svg::cross(double x, double y, double r, const std::string& stroke, const std::string& title) {
  body_ += titled(fmt::format("<path d=\"M{:.1f} {:.1f}L{:.1f} {:.1f}M{:.1f} {:.1f}L{:.1f} {:.1f}\" stroke=\"{}\" "
                              "stroke-width=\"1.5\"",
                              x - r, y - r, x + r, y + r, x - r, y + r, x + r, y - r, stroke),
                  title);
}

void Svg::text(double x, double y, const std::string& content, const std::string& anchor, double size,
               const std::string& fill) {
  body_ += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"{}\" font-size=\"{}\" fill=\"{}\">{}</text>", x,
                       y, anchor, size, fill, escape(content));
}

void Svg::arrow(double x1, double y1, double x2, double y2, const std::string& stroke, const std::string& title) {
  body_ += titled(fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" "
                              "stroke-width=\"1.2\" marker-end=\"url(#arrowhead)\"",
                              x1, y1, x2, y2, stroke),
                  title);
}

std::string Svg::str() const {
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart {}\" role=\"img\" aria-label=\"{}\" "
      "width=\"{:.0f}\" height=\"{:.0f}\" viewBox=\"0 0 {:.0f} {:.0f}\">"
      "<defs><marker id=\"arrowhead\" markerWidth=\"8\" markerHeight=\"6\" refX=\"8\" refY=\"3\" "
      "orient=\"auto\"><path d=\"M0 0L8 3L0 6z\" fill=\"#555\"/></marker></defs>{}</svg>",
      css_class_, escape(label_), width_, height_, width_, height_, body_);
}

}  // namespace replsim::reports
