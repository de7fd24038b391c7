// A small SVG writer for the report's charts: the project draws its own
// charts, so a page needs neither gnuplot nor a script to show them.
// Coordinates are in SVG user units; every text goes through escape().
#pragma once

#include <string>

namespace replsim::reports {

// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string escape(const std::string& text);

class Svg {
 public:
  // `label` becomes the chart's accessible name (role="img", aria-label).
  Svg(double width, double height, const std::string& css_class, const std::string& label);

  void rect(double x, double y, double w, double h, const std::string& fill, const std::string& title = "",
            double opacity = 1.0);
  void line(double x1, double y1, double x2, double y2, const std::string& stroke, double width = 1,
            const std::string& dash = "");
  void circle(double x, double y, double r, const std::string& fill, const std::string& title = "");
  void cross(double x, double y, double r, const std::string& stroke, const std::string& title = "");
  // anchor: start, middle or end.
  void text(double x, double y, const std::string& text, const std::string& anchor = "start", double size = 11,
            const std::string& fill = "#222");
  void arrow(double x1, double y1, double x2, double y2, const std::string& stroke, const std::string& title = "");
  // Raw markup, for a group the writer has no helper for.
  void raw(const std::string& markup) { body_ += markup; }

  std::string str() const;

 private:
  double width_;
  double height_;
  std::string css_class_;
  std::string label_;
  std::string body_;
};

}  // namespace replsim::reports
