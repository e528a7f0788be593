// The engine graph as one HTML page: steps laid out in layers by longest path from the inputs
// (one sweep of barycenter ordering within a layer), drawn as inline SVG boxes coloured by
// precision; each box's tooltip holds its tactic, shapes and time.
#include <algorithm>
#include <cstdio>
#include <map>

#include "inspect.h"
#include "json.h"

namespace kiln::cli {

namespace {

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
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
      default:
        out += c;
    }
  }
  return out;
}

std::string dims_text(const json::Value& dims) {
  std::string out = "[";
  for (size_t i = 0; i < dims.array.size(); ++i) {
    out += (i ? "," : "") + std::to_string(static_cast<long long>(dims.array[i].number));
  }
  return out + "]";
}

std::string tensor_text(const json::Value& t) {
  std::string out = t["name"].string + " " + t["type"].string + " " + dims_text(t["dims"]);
  for (const json::Value& p : t["profiles"].array) {
    out += " min " + dims_text(p["min"]) + " opt " + dims_text(p["opt"]) + " max " +
           dims_text(p["max"]);
  }
  return out;
}

const char* colour_of(const std::string& precision) {
  static const std::pair<const char*, const char*> colours[] = {
      {"float32", "#9ecae9"}, {"float16", "#ffbf79"}, {"bfloat16", "#ff9d9a"}, {"int8", "#86bcb6"},
      {"uint8", "#86bcb6"},   {"int32", "#8cd17d"},   {"int64", "#8cd17d"},    {"bool", "#f1ce63"}};
  if (precision.find('+') != std::string::npos) return "#d4a6c8";  // mixed
  for (const auto& [name, colour] : colours) {
    if (precision == name) return colour;
  }
  return "#dddddd";
}

struct Node {
  std::string label, sublabel, detail, precision;
  bool io = false;
  double ms = -1, pct = 0;
  std::vector<int> preds;
  int rank = 0;
  double x = 0, y = 0;
};

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string shorten(const std::string& s, size_t n) {
  return s.size() <= n ? s : s.substr(0, n - 1) + "\u2026";
}

}  // namespace

std::string engine_html(const std::string& engine_json, const StepTimeList* times,
                        const std::string& title) {
  json::Value doc = json::parse(engine_json, "engine information");
  if (!doc.is_object() || !doc["layers"].is_array() || !doc["io"].is_array()) {
    throw Error("engine information: expected an object with \"io\" and \"layers\" arrays");
  }
  std::map<std::string, double> time_of;
  double total_ms = 0;
  if (times) {
    for (const auto& [name, ms] : *times) {
      time_of[name] += ms;
      total_ms += ms;
    }
  }
  std::vector<Node> nodes;
  std::map<std::string, int> producer;  // tensor -> node
  for (const json::Value& t : doc["io"].array) {
    if (t["mode"].string != "input") continue;
    Node n;
    n.io = true;
    n.label = t["name"].string;
    n.sublabel = "input " + t["type"].string + " " + dims_text(t["dims"]);
    n.detail = "input " + tensor_text(t);
    producer[t["name"].string] = static_cast<int>(nodes.size());
    nodes.push_back(n);
  }
  std::vector<int> step_nodes;
  for (const json::Value& l : doc["layers"].array) {
    Node n;
    n.label = l["name"].string;
    n.precision = l["precision"].string;
    n.sublabel = l["type"].string + " \u00b7 " + l["tactic"].string;
    n.detail = l["name"].string + "\nlayer type: " + l["type"].string;
    if (l["parts"].array.size() > 1) {
      n.detail += "\nfused parts:";
      for (const json::Value& p : l["parts"].array) n.detail += " " + p.string + ";";
    }
    n.detail += "\ntactic: " + l["tactic"].string + "\nprecision: " + n.precision;
    if (l["stream"].number > 0) n.detail += "\nauxiliary stream " + fmt("%.0f", l["stream"].number);
    for (const json::Value& t : l["inputs"].array) {
      n.detail += "\nin:  " + tensor_text(t) + (t["constant"].boolean ? " (constant)" : "");
      if (t["constant"].boolean) continue;
      auto it = producer.find(t["name"].string);
      if (it != producer.end() &&
          std::find(n.preds.begin(), n.preds.end(), it->second) == n.preds.end()) {
        n.preds.push_back(it->second);
      }
    }
    for (const json::Value& t : l["outputs"].array) n.detail += "\nout: " + tensor_text(t);
    auto it = time_of.find(n.label);
    if (it != time_of.end()) {
      n.ms = it->second;
      n.pct = total_ms > 0 ? 100.0 * n.ms / total_ms : 0.0;
      n.detail += "\ntime: " + fmt("%.4f ms", n.ms) + fmt(" (%.1f%%)", n.pct);
    }
    int id = static_cast<int>(nodes.size());
    for (const json::Value& t : l["outputs"].array) producer[t["name"].string] = id;
    step_nodes.push_back(id);
    nodes.push_back(n);
  }
  for (const json::Value& t : doc["io"].array) {
    if (t["mode"].string != "output") continue;
    Node n;
    n.io = true;
    n.label = t["name"].string;
    n.sublabel = "output " + t["type"].string + " " + dims_text(t["dims"]);
    n.detail = "output " + tensor_text(t);
    auto it = producer.find(t["name"].string);
    if (it != producer.end()) n.preds.push_back(it->second);
    nodes.push_back(n);
  }

  // Layers by longest path (nodes are already in a topological order), then order within a layer
  // by the mean position of the predecessors.
  int ranks = 0;
  for (Node& n : nodes) {
    for (int p : n.preds) n.rank = std::max(n.rank, nodes[p].rank + 1);
    ranks = std::max(ranks, n.rank + 1);
  }
  std::vector<std::vector<int>> layer(static_cast<size_t>(ranks));
  for (size_t i = 0; i < nodes.size(); ++i) layer[nodes[i].rank].push_back(static_cast<int>(i));
  const double w = 250, h = 58, gap_x = 28, gap_y = 46, margin = 20;
  size_t widest = 1;
  for (const auto& l : layer) widest = std::max(widest, l.size());
  const double width = margin * 2 + widest * (w + gap_x) - gap_x;
  for (auto& l : layer) {
    std::vector<std::pair<double, int>> keyed;
    for (size_t k = 0; k < l.size(); ++k) {
      const Node& n = nodes[l[k]];
      double key = static_cast<double>(k);
      if (!n.preds.empty()) {
        key = 0;
        for (int p : n.preds) key += nodes[p].x;
        key /= static_cast<double>(n.preds.size());
      }
      keyed.emplace_back(key, l[k]);
    }
    std::stable_sort(keyed.begin(), keyed.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    double row = l.size() * (w + gap_x) - gap_x;
    double x0 = (width - row) / 2;
    for (size_t k = 0; k < keyed.size(); ++k) {
      Node& n = nodes[keyed[k].second];
      n.x = x0 + k * (w + gap_x);
      n.y = margin + n.rank * (h + gap_y);
    }
  }
  const double height = margin * 2 + ranks * (h + gap_y) - gap_y;

  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + fmt("%.0f", width) +
                    "\" height=\"" + fmt("%.0f", height) + "\" viewBox=\"0 0 " +
                    fmt("%.0f", width) + " " + fmt("%.0f", height) + "\">\n";
  svg +=
      "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" "
      "markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#666\"/>"
      "</marker></defs>\n";
  for (const Node& n : nodes) {
    for (int p : n.preds) {
      const Node& a = nodes[p];
      double x1 = a.x + w / 2, y1 = a.y + h, x2 = n.x + w / 2, y2 = n.y;
      double my = (y1 + y2) / 2;
      svg += "<path class=\"edge\" d=\"M" + fmt("%.1f", x1) + "," + fmt("%.1f", y1) + " C" +
             fmt("%.1f", x1) + "," + fmt("%.1f", my) + " " + fmt("%.1f", x2) + "," +
             fmt("%.1f", my) + " " + fmt("%.1f", x2) + "," + fmt("%.1f", y2) +
             "\" marker-end=\"url(#arrow)\"/>\n";
    }
  }
  for (const Node& n : nodes) {
    std::string fill = n.io ? "#eeeeee" : colour_of(n.precision);
    svg += "<g class=\"node\"><title>" + escape(n.detail) + "</title>\n";
    svg += "<rect x=\"" + fmt("%.1f", n.x) + "\" y=\"" + fmt("%.1f", n.y) + "\" width=\"" +
           fmt("%.0f", w) + "\" height=\"" + fmt("%.0f", h) + "\" rx=\"6\" fill=\"" + fill + "\"" +
           (n.io ? " stroke-dasharray=\"4 3\"" : "") + "/>\n";
    if (n.ms >= 0) {  // a bar along the bottom: the step's share of the time
      svg += "<rect x=\"" + fmt("%.1f", n.x) + "\" y=\"" + fmt("%.1f", n.y + h - 5) +
             "\" width=\"" + fmt("%.1f", w * n.pct / 100.0) +
             "\" height=\"5\" fill=\"#c0392b\"/>\n";
    }
    svg += "<text x=\"" + fmt("%.1f", n.x + 8) + "\" y=\"" + fmt("%.1f", n.y + 18) +
           "\" class=\"name\">" + escape(shorten(n.label, 34)) + "</text>\n";
    svg += "<text x=\"" + fmt("%.1f", n.x + 8) + "\" y=\"" + fmt("%.1f", n.y + 34) + "\">" +
           escape(shorten(n.sublabel, 40)) + "</text>\n";
    if (n.ms >= 0) {
      svg += "<text x=\"" + fmt("%.1f", n.x + 8) + "\" y=\"" + fmt("%.1f", n.y + 49) + "\">" +
             fmt("%.4f ms", n.ms) + fmt(" \u00b7 %.1f%%", n.pct) + "</text>\n";
    }
    svg += "</g>\n";
  }
  svg += "</svg>\n";

  // Legend: the precisions present.
  std::vector<std::string> precisions;
  for (int id : step_nodes) {
    if (std::find(precisions.begin(), precisions.end(), nodes[id].precision) == precisions.end()) {
      precisions.push_back(nodes[id].precision);
    }
  }
  std::string legend = "<div class=\"legend\">";
  for (const std::string& p : precisions) {
    legend += "<span><i style=\"background:" + std::string(colour_of(p)) + "\"></i>" + escape(p) +
              "</span>";
  }
  legend +=
      "<span><i style=\"background:#eeeeee;border-style:dashed\"></i>engine input/output</span>";
  if (times) legend += "<span><i style=\"background:#c0392b\"></i>share of step time</span>";
  legend += "</div>\n";

  // The steps as a table, slowest first when timed.
  std::vector<int> order = step_nodes;
  if (times) {
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return nodes[a].ms > nodes[b].ms; });
  }
  std::string table =
      "<table><tr><th>#</th><th>step</th><th>type \u00b7 tactic</th>"
      "<th>precision</th>" +
      std::string(times ? "<th>time (ms)</th><th>%</th>" : "") + "</tr>\n";
  for (int id : order) {
    const Node& n = nodes[id];
    int index =
        static_cast<int>(std::find(step_nodes.begin(), step_nodes.end(), id) - step_nodes.begin());
    table += "<tr><td>" + std::to_string(index) + "</td><td>" + escape(n.label) + "</td><td>" +
             escape(n.sublabel) + "</td><td>" + escape(n.precision) + "</td>";
    if (times) {
      table += n.ms >= 0 ? "<td>" + fmt("%.4f", n.ms) + "</td><td>" + fmt("%.1f", n.pct) + "</td>"
                         : "<td>-</td><td>-</td>";
    }
    table += "</tr>\n";
  }
  table += "</table>\n";

  std::string summary = escape(doc["device"].string) + " engine, " +
                        std::to_string(step_nodes.size()) + " steps, " +
                        fmt("%.0f", doc["num_profiles"].number) + " profile(s), " +
                        fmt("%.0f", doc["num_aux_streams"].number) + " auxiliary stream(s)";
  if (times) summary += ", " + fmt("%.4f ms", total_ms) + " per inference (sum of step times)";
  return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + escape(title) +
         "</title>\n<style>\n"
         "body{font-family:system-ui,sans-serif;margin:16px;color:#222}\n"
         "h1{font-size:18px;margin:0 0 4px}\n.sub{color:#555;margin-bottom:8px}\n"
         ".legend span{margin-right:14px;font-size:13px}\n"
         ".legend i{display:inline-block;width:14px;height:14px;border:1px solid #666;"
         "vertical-align:middle;margin-right:4px}\n"
         ".graph{overflow:auto;border:1px solid #ddd;margin:10px 0}\n"
         "svg text{font-size:11px;fill:#222;pointer-events:none}\nsvg text.name{font-weight:600}\n"
         ".node rect:first-of-type{stroke:#555}\n.node:hover rect:first-of-type{stroke:#000;"
         "stroke-width:2.5}\n.edge{fill:none;stroke:#888;stroke-width:1.3}\n"
         "table{border-collapse:collapse;font-size:13px}\n"
         "td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}\n"
         "</style></head><body>\n<h1>" +
         escape(title) + "</h1>\n<div class=\"sub\">" + summary +
         ". Hover a box for its tactic, shapes and time.</div>\n" + legend +
         "<div class=\"graph\">\n" + svg + "</div>\n" + table + "</body></html>\n";
}

}  // namespace kiln::cli
