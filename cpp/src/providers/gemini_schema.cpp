// providers/gemini_schema.cpp — JSON Schema → Gemini Developer API Schema clean-up.
//
// The Developer API's `parameters` / `responseSchema` take an OpenAPI-3.0 subset and reject any
// unknown keyword with 400 "Invalid JSON payload received. Unknown name ...". The schema is loaded
// into a small owning tree (schemas are small), rewritten, and serialised back. Keywords are kept
// by allow-list, so new JSON-Schema keywords never leak through.
#include <algorithm>
#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include "json/reader.hpp"
#include "json/writer.hpp"
#include "providers/gemini.hpp"

namespace openrain::providers {
namespace {

constexpr int kMaxDepth = 40;

/// A minimal owning JSON tree. Numbers keep their literal text. Object members are a plain struct
/// completed after Node, and every function touching them is defined after it: a
/// std::pair<std::string, Node> member type makes clang + libstdc++ check Node's default
/// constructibility while Node is still incomplete, which is a hard error.
struct Node {
  enum class T : uint8_t { Null, Bool, Num, Str, Arr, Obj };
  struct Member;
  T t = T::Null;
  std::string s;  // Str value; Num literal; Bool "true"/"false"
  std::vector<Node> a;
  std::vector<Member> o;  // in document order

  bool is_obj() const { return t == T::Obj; }
  bool is_str() const { return t == T::Str; }
  Node* get(std::string_view k);
  const Node* get(std::string_view k) const;
  void erase(std::string_view k);
  void set(std::string_view k, Node v);  // replaces in place, or appends
  void append(std::string k, Node v);    // no duplicate check
  static Node str(std::string_view v);
  static Node boolean(bool v);
  static Node array();
  static Node object();
};

struct Node::Member {
  std::string key;
  Node value;
};

Node* Node::get(std::string_view k) {
  for (auto& [key, v] : o)
    if (key == k) return &v;
  return nullptr;
}
const Node* Node::get(std::string_view k) const {
  for (const auto& [key, v] : o)
    if (key == k) return &v;
  return nullptr;
}
void Node::erase(std::string_view k) {
  o.erase(std::remove_if(o.begin(), o.end(), [&](const Member& m) { return m.key == k; }), o.end());
}
void Node::set(std::string_view k, Node v) {
  if (Node* cur = get(k)) {
    *cur = std::move(v);
  } else {
    append(std::string(k), std::move(v));
  }
}
void Node::append(std::string k, Node v) { o.push_back(Member{std::move(k), std::move(v)}); }
Node Node::str(std::string_view v) {
  Node n;
  n.t = T::Str;
  n.s = std::string(v);
  return n;
}
Node Node::boolean(bool v) {
  Node n;
  n.t = T::Bool;
  n.s = v ? "true" : "false";
  return n;
}
Node Node::array() {
  Node n;
  n.t = T::Arr;
  return n;
}
Node Node::object() {
  Node n;
  n.t = T::Obj;
  return n;
}

Node from_element(json::Element e) {
  Node n;
  switch (e.type()) {
    case simdjson::dom::element_type::OBJECT: {
      n.t = Node::T::Obj;
      json::Object obj = e.get_object().value_unsafe();
      for (auto field : obj) {
        n.append(std::string(field.key), from_element(field.value));
      }
      break;
    }
    case simdjson::dom::element_type::ARRAY: {
      n.t = Node::T::Arr;
      json::Array arr = e.get_array().value_unsafe();
      for (auto v : arr) n.a.push_back(from_element(v));
      break;
    }
    case simdjson::dom::element_type::STRING:
      n.t = Node::T::Str;
      n.s = std::string(e.get_string().value_unsafe());
      break;
    case simdjson::dom::element_type::BOOL:
      n.t = Node::T::Bool;
      n.s = e.get_bool().value_unsafe() ? "true" : "false";
      break;
    case simdjson::dom::element_type::NULL_VALUE: n.t = Node::T::Null; break;
    default:
      n.t = Node::T::Num;
      n.s = json::to_json(e);
      break;
  }
  return n;
}

void write_node(json::Writer& w, const Node& n) {
  switch (n.t) {
    case Node::T::Null: w.null(); break;
    case Node::T::Bool:
    case Node::T::Num: w.raw(n.s); break;
    case Node::T::Str: w.value(n.s); break;
    case Node::T::Arr:
      w.begin_array();
      for (const auto& v : n.a) write_node(w, v);
      w.end_array();
      break;
    case Node::T::Obj:
      w.begin_object();
      for (const auto& [k, v] : n.o) {
        w.key(k);
        write_node(w, v);
      }
      w.end_object();
      break;
  }
}

/// Schema keywords the Developer API's Schema message knows.
bool allowed_keyword(std::string_view k) {
  static constexpr std::string_view kAllowed[] = {
      "type",          "format",        "title",     "description", "nullable",
      "enum",          "maxItems",      "minItems",  "properties",  "required",
      "minProperties", "maxProperties", "minLength", "maxLength",   "pattern",
      "example",       "anyOf",         "propertyOrdering", "default", "items",
      "minimum",       "maximum"};
  for (auto a : kAllowed)
    if (a == k) return true;
  return false;
}

bool is_null_type_schema(const Node& n) {
  if (!n.is_obj()) return false;
  const Node* t = n.get("type");
  if (t == nullptr || !t->is_str()) return false;
  std::string lower = t->s;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "null" && n.o.size() == 1;
}

bool type_is(const Node& n, std::string_view want) {
  const Node* t = n.get("type");
  if (t == nullptr || !t->is_str() || t->s.size() != want.size()) return false;
  for (size_t i = 0; i < want.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(t->s[i])) != want[i]) return false;
  }
  return true;
}

class Cleaner {
 public:
  Cleaner(const Node& root, std::string_view param) : root_(root), param_(param) {}

  Result<Node> clean(Node n, int depth) {
    if (depth > kMaxDepth) {
      return fail("schema is nested too deeply (or recursive) for a Gemini schema");
    }
    if (n.t == Node::T::Bool) return Node::object();  // `true` schema: anything
    if (!n.is_obj()) return n;

    if (Node* ref = n.get("$ref")) {
      if (!ref->is_str()) return fail("$ref must be a string");
      std::string target = ref->s;
      for (const auto& open : stack_) {
        if (open == target) {
          return fail("recursive $ref '" + target + "' cannot be expressed in a Gemini schema");
        }
      }
      const Node* def = resolve(target);
      if (def == nullptr) return fail("unresolvable $ref '" + target + "' (only local refs are supported)");
      Node merged = *def;
      if (!merged.is_obj()) merged = Node::object();
      for (auto& [k, v] : n.o) {
        if (k != "$ref") merged.set(k, std::move(v));
      }
      stack_.push_back(target);
      Result<Node> r = clean(std::move(merged), depth + 1);
      stack_.pop_back();
      return r;
    }

    // const → enum (Gemini enums are strings only).
    if (Node* c = n.get("const")) {
      if (c->is_str() && n.get("enum") == nullptr) {
        Node e = Node::array();
        e.a.push_back(*c);
        n.set("enum", std::move(e));
        if (n.get("type") == nullptr) n.set("type", Node::str("string"));
      }
    }

    bool nullable = false;

    // type: ["string", "null"] → type + nullable; several real types → anyOf.
    if (Node* t = n.get("type"); t != nullptr && t->t == Node::T::Arr) {
      std::vector<Node> real;
      for (auto& v : t->a) {
        if (v.is_str() && v.s == "null") {
          nullable = true;
        } else if (v.is_str()) {
          real.push_back(v);
        }
      }
      if (real.empty()) {
        n.set("type", Node::str("null"));
      } else if (real.size() == 1) {
        n.set("type", std::move(real[0]));
      } else {
        n.erase("type");
        if (n.get("anyOf") == nullptr) {
          Node any = Node::array();
          for (auto& r : real) {
            Node b = Node::object();
            b.set("type", std::move(r));
            any.a.push_back(std::move(b));
          }
          n.set("anyOf", std::move(any));
        }
      }
    }

    // oneOf → anyOf (the closest the Schema subset has).
    if (Node* one = n.get("oneOf")) {
      if (n.get("anyOf") == nullptr) n.set("anyOf", std::move(*one));
      n.erase("oneOf");
    }

    // allOf: merge every branch into this node.
    if (Node* all = n.get("allOf")) {
      Node branches = std::move(*all);
      n.erase("allOf");
      if (branches.t == Node::T::Arr) {
        for (auto& b : branches.a) {
          Result<Node> cb = clean(std::move(b), depth + 1);
          if (!cb.ok()) return cb;
          merge_into(n, std::move(cb.value()));
        }
      }
    }

    // anyOf: clean branches, fold null branches into nullable, collapse a single branch.
    if (Node* any = n.get("anyOf")) {
      Node branches = std::move(*any);
      n.erase("anyOf");
      if (branches.t == Node::T::Arr) {
        Node kept = Node::array();
        for (auto& b : branches.a) {
          Result<Node> cb = clean(std::move(b), depth + 1);
          if (!cb.ok()) return cb;
          if (is_null_type_schema(cb.value())) {
            nullable = true;
          } else {
            kept.a.push_back(std::move(cb.value()));
          }
        }
        if (kept.a.size() == 1) {
          Node only = std::move(kept.a[0]);
          for (auto& [k, v] : n.o) only.set(k, std::move(v));  // outer keys win
          n = std::move(only);
          if (const Node* nb = n.get("nullable"); nb != nullptr && nb->s == "true") nullable = true;
        } else if (!kept.a.empty()) {
          n.set("anyOf", std::move(kept));
        }
      }
    }

    // enum: null members become nullable.
    if (Node* e = n.get("enum"); e != nullptr && e->t == Node::T::Arr) {
      auto before = e->a.size();
      e->a.erase(std::remove_if(e->a.begin(), e->a.end(),
                                [](const Node& v) { return v.t == Node::T::Null; }),
                 e->a.end());
      if (e->a.size() != before) nullable = true;
    }

    // Keep only known keywords; recurse into subschemas.
    Node out = Node::object();
    for (auto& [k, v] : n.o) {
      if (!allowed_keyword(k)) continue;
      if (k == "properties") {
        if (!v.is_obj()) continue;
        Node props = Node::object();
        for (auto& [pk, pv] : v.o) {
          Result<Node> cp = clean(std::move(pv), depth + 1);
          if (!cp.ok()) return cp;
          props.append(pk, std::move(cp.value()));
        }
        out.append(k, std::move(props));
      } else if (k == "items") {
        if (v.t == Node::T::Arr) {  // tuple form: the Schema subset has one item schema
          if (v.a.empty()) continue;
          Node first = std::move(v.a[0]);
          v = std::move(first);
        }
        Result<Node> ci = clean(std::move(v), depth + 1);
        if (!ci.ok()) return ci;
        out.append(k, std::move(ci.value()));
      } else if (k == "anyOf") {
        out.append(k, std::move(v));  // branches already cleaned
      } else {
        out.append(k, std::move(v));
      }
    }
    if (nullable) out.set("nullable", Node::boolean(true));

    // Strings accept only the "enum" and "date-time" formats.
    if (const Node* f = out.get("format"); f != nullptr && type_is(out, "string")) {
      if (!f->is_str() || (f->s != "enum" && f->s != "date-time")) out.erase("format");
    }

    // required: only names of declared properties; empty properties/required dropped.
    Node* props = out.get("properties");
    if (Node* req = out.get("required")) {
      if (req->t != Node::T::Arr) {
        out.erase("required");
      } else {
        if (props != nullptr) {
          req->a.erase(std::remove_if(req->a.begin(), req->a.end(),
                                      [&](const Node& r) {
                                        return !r.is_str() || props->get(r.s) == nullptr;
                                      }),
                       req->a.end());
        }
        if (req->a.empty()) out.erase("required");
      }
    }
    props = out.get("properties");
    if (props != nullptr && props->o.empty() && out.get("required") == nullptr) {
      out.erase("properties");
    }
    return out;
  }

 private:
  Error fail(std::string why) const {
    return Error::invalid(std::string(param_) + ": " + why, std::string(param_),
                          "invalid_schema");
  }

  /// Merge an allOf branch into `n`: properties and required are unioned, other keys are kept
  /// from `n` when both have them.
  static void merge_into(Node& n, Node b) {
    if (!b.is_obj()) return;
    for (auto& [k, v] : b.o) {
      Node* cur = n.get(k);
      if (cur == nullptr) {
        n.append(k, std::move(v));
      } else if (k == "properties" && cur->is_obj() && v.is_obj()) {
        for (auto& [pk, pv] : v.o)
          if (cur->get(pk) == nullptr) cur->append(pk, std::move(pv));
      } else if (k == "required" && cur->t == Node::T::Arr && v.t == Node::T::Arr) {
        for (auto& r : v.a) {
          bool dup = false;
          for (const auto& x : cur->a) dup = dup || (x.is_str() && r.is_str() && x.s == r.s);
          if (!dup) cur->a.push_back(std::move(r));
        }
      }
    }
  }

  /// Resolve a local JSON pointer ("#/$defs/Name", "#/definitions/Name", "#/...").
  const Node* resolve(std::string_view ref) const {
    if (ref.empty() || ref[0] != '#') return nullptr;
    ref.remove_prefix(1);
    const Node* cur = &root_;
    while (!ref.empty()) {
      if (ref[0] != '/') return nullptr;
      ref.remove_prefix(1);
      size_t slash = ref.find('/');
      std::string_view raw = ref.substr(0, slash);
      ref = slash == std::string_view::npos ? std::string_view() : ref.substr(slash);
      std::string seg;
      for (size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '~' && i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
          seg.push_back(raw[i + 1] == '0' ? '~' : '/');
          ++i;
        } else {
          seg.push_back(raw[i]);
        }
      }
      if (cur->is_obj()) {
        cur = cur->get(seg);
      } else if (cur->t == Node::T::Arr) {
        size_t idx = 0;
        if (seg.empty()) return nullptr;
        for (char c : seg) {
          if (c < '0' || c > '9') return nullptr;
          idx = idx * 10 + static_cast<size_t>(c - '0');
        }
        cur = idx < cur->a.size() ? &cur->a[idx] : nullptr;
      } else {
        return nullptr;
      }
      if (cur == nullptr) return nullptr;
    }
    return cur;
  }

  const Node& root_;
  std::string_view param_;
  std::vector<std::string> stack_;
};

}  // namespace

Result<std::string> gemini_clean_schema(std::string_view json_text, std::string_view param) {
  json::Reader reader;
  Result<json::Element> parsed = reader.parse(json_text);
  if (!parsed.ok()) {
    return Error::invalid(std::string(param) + ": schema is not valid JSON", std::string(param),
                          "invalid_schema");
  }
  Node root = from_element(parsed.value());
  if (!root.is_obj()) {
    return Error::invalid(std::string(param) + ": schema must be a JSON object", std::string(param),
                          "invalid_schema");
  }
  Cleaner cleaner(root, param);
  Result<Node> cleaned = cleaner.clean(root, 0);
  if (!cleaned.ok()) return cleaned.take_error();
  std::string out;
  json::Writer w(out);
  write_node(w, cleaned.value());
  return out;
}

}  // namespace openrain::providers
