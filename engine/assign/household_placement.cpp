// Places roster rows without a building id into buildings: by address pattern, else by point in footprint, else by
// the nearest residential building within the limit (flagged); every failure carries its reason.
#include "assign/household_placement.hpp"

#include <algorithm>
#include <boost/geometry/index/rtree.hpp>
#include <set>
#include <stdexcept>

#include "model/text.hpp"

namespace gridatlas::assign {

const char* to_string(Reason r) {
    switch (r) {
        case Reason::assigned: return "assigned";
        case Reason::duplicate_household_id: return "duplicate_household_id";
        case Reason::missing_building_ref: return "missing_building_ref";
        case Reason::unknown_building: return "unknown_building";
        case Reason::ambiguous_building: return "ambiguous_building";
        case Reason::rejected_building: return "rejected_building";
        case Reason::no_unit_given: return "no_unit_given";
        case Reason::unknown_unit: return "unknown_unit";
        case Reason::outside_grids: return "outside_grids";
        case Reason::unparsable_address: return "unparsable_address";
        case Reason::no_building_at_location: return "no_building_at_location";
        case Reason::no_buildings_layer: return "no_buildings_layer";
    }
    return "unknown";
}

const char* to_string(PlacedBy p) {
    switch (p) {
        case PlacedBy::none: return "not_placed";
        case PlacedBy::building_id: return "building_id";
        case PlacedBy::address: return "address";
        case PlacedBy::point_in_building: return "point_in_building";
        case PlacedBy::nearest_building: return "nearest_building";
        case PlacedBy::point_in_grid: return "point_in_grid";
    }
    return "unknown";
}

namespace {

// UTF-8 → code points (engine/model/text.hpp); an invalid byte becomes U+FFFD so that matching goes on.
std::wstring widen(std::string_view s) {
    std::wstring out;
    out.reserve(s.size());
    for (char32_t cp : text::decode_utf8(s)) out.push_back(static_cast<wchar_t>(cp));
    return out;
}

std::string narrow(std::wstring_view w) {
    std::string out;
    out.reserve(w.size());
    for (wchar_t wc : w) text::append_utf8(out, static_cast<char32_t>(wc));
    return out;
}

std::wstring_view trim(std::wstring_view s) {
    auto space = [](wchar_t c) { return c == L' ' || c == L'\t' || c == L'\r' || c == L'\n' || c == 0x3000; };
    while (!s.empty() && space(s.front())) s.remove_prefix(1);
    while (!s.empty() && space(s.back())) s.remove_suffix(1);
    return s;
}

int chinese_digit(wchar_t c) {
    switch (c) {
        case L'零': case L'〇': return 0;
        case L'一': return 1;
        case L'二': case L'两': return 2;
        case L'三': return 3;
        case L'四': return 4;
        case L'五': return 5;
        case L'六': return 6;
        case L'七': return 7;
        case L'八': return 8;
        case L'九': return 9;
        default: return -1;
    }
}

// Python-style named groups → numbered groups. Returns the ECMAScript pattern and the name of every capture group
// in order ("" for an unnamed one).
std::pair<std::string, std::vector<std::string>> number_groups(const std::string& p) {
    std::string out;
    std::vector<std::string> names;
    bool in_class = false;
    for (std::size_t i = 0; i < p.size(); ++i) {
        const char c = p[i];
        if (c == '\\') {
            out += c;
            if (i + 1 < p.size()) out += p[++i];
            continue;
        }
        if (in_class) {
            if (c == ']') in_class = false;
            out += c;
            continue;
        }
        if (c == '[') {
            in_class = true;
            out += c;
            if (i + 1 < p.size() && p[i + 1] == '^') out += p[++i];
            if (i + 1 < p.size() && p[i + 1] == ']') out += p[++i];   // a leading ] is literal
            continue;
        }
        if (c == '(') {
            if (i + 1 < p.size() && p[i + 1] == '?') {
                std::size_t start = 0;
                if (p.compare(i + 1, 3, "?P<") == 0) start = i + 4;
                else if (p.compare(i + 1, 2, "?<") == 0 && i + 3 < p.size() && p[i + 3] != '=' && p[i + 3] != '!') start = i + 3;
                else if (p.compare(i + 1, 3, "?P=") == 0)
                    throw std::invalid_argument("named back-references (?P=name) are not supported; use \\1, \\2, …");
                if (start) {
                    const std::size_t end = p.find('>', start);
                    if (end == std::string::npos) throw std::invalid_argument("a named group's name is not closed with '>'");
                    const std::string name = p.substr(start, end - start);
                    if (name.empty()) throw std::invalid_argument("a named group has an empty name");
                    names.push_back(name);
                    out += '(';
                    i = end;
                    continue;
                }
                out += c;   // (?: (?= (?! …: not capturing
                continue;
            }
            names.emplace_back();
            out += c;
            continue;
        }
        out += c;
    }
    return {out, names};
}

// The {name} placeholders of a template.
std::vector<std::string> placeholders(const std::string& t) {
    std::vector<std::string> out;
    for (std::size_t i = t.find('{'); i != std::string::npos; i = t.find('{', i + 1)) {
        const std::size_t end = t.find('}', i);
        if (end == std::string::npos) throw std::invalid_argument("the building id template '" + t + "' has a '{' without '}'");
        out.push_back(t.substr(i + 1, end - i - 1));
    }
    return out;
}

}  // namespace

std::optional<int> parse_number(std::string_view text) {
    const std::wstring w = widen(text);
    const std::wstring_view s = trim(w);
    if (s.empty()) return std::nullopt;
    // Arabic digits, half or full width.
    if (std::all_of(s.begin(), s.end(), [](wchar_t c) { return (c >= L'0' && c <= L'9') || (c >= 0xFF10 && c <= 0xFF19); })) {
        if (s.size() > 8) return std::nullopt;
        int v = 0;
        for (wchar_t c : s) v = v * 10 + (c >= 0xFF10 ? c - 0xFF10 : c - L'0');
        return v;
    }
    // Chinese numerals: positional (一〇一 = 101) or with 十/百/千 (二十三 = 23, 十二 = 12, 一百零五 = 105).
    const bool has_unit = s.find_first_of(L"十百千") != std::wstring_view::npos;
    if (!has_unit) {
        if (s.size() > 8) return std::nullopt;
        int v = 0;
        for (wchar_t c : s) {
            const int d = chinese_digit(c);
            if (d < 0) return std::nullopt;
            v = v * 10 + d;
        }
        return v;
    }
    int total = 0, digit = -1, last_unit = 10000;
    for (wchar_t c : s) {
        const int d = chinese_digit(c);
        if (d >= 0) {
            if (digit > 0) return std::nullopt;   // two digits in a row outside positional form: 二三十
            digit = d;
            continue;
        }
        const int unit = c == L'十' ? 10 : c == L'百' ? 100 : c == L'千' ? 1000 : 0;
        if (!unit || unit >= last_unit) return std::nullopt;
        total += (digit < 0 ? 1 : digit) * unit;   // a leading 十 is 一十
        if (digit == 0) return std::nullopt;
        digit = -1;
        last_unit = unit;
    }
    if (digit > 0) total += digit;
    return total;
}

AddressPattern::AddressPattern(const std::string& pattern, std::vector<std::string> groups, std::string building_id)
    : pattern_(pattern), template_(std::move(building_id)) {
    if (pattern.empty()) throw std::invalid_argument("the address pattern is empty");
    auto [ecma, names] = number_groups(pattern);
    const bool named = std::any_of(names.begin(), names.end(), [](const std::string& n) { return !n.empty(); });
    if (named && !groups.empty())
        throw std::invalid_argument("the pattern names its groups itself; leave out the list of group names");
    try {
        regex_ = std::make_shared<const std::wregex>(widen(ecma), std::regex_constants::ECMAScript);
    } catch (const std::regex_error& e) {
        throw std::invalid_argument(std::string("the address pattern is not a valid ECMAScript regular expression (") + e.what() + ")");
    }
    const std::size_t marks = regex_->mark_count();
    if (named) {
        names_ = std::move(names);
    } else if (groups.empty()) {
        throw std::invalid_argument("the address pattern names no group: write (?P<building>…) and (?P<unit>…), or list the "
                                    "groups' names in order");
    } else if (groups.size() != marks) {
        throw std::invalid_argument("the pattern has " + std::to_string(marks) + " capture groups but " +
                                    std::to_string(groups.size()) + " group names are given");
    } else {
        names_ = std::move(groups);
    }
    if (names_.size() != marks) throw std::invalid_argument("the pattern's groups could not be counted; name every capture group");
    const std::set<std::string> known(names_.begin(), names_.end());
    const auto used = placeholders(template_);
    if (used.empty()) throw std::invalid_argument("the building id template '" + template_ + "' uses no group, e.g. {building}");
    for (const auto& u : used)
        if (!known.count(u)) throw std::invalid_argument("the building id template uses {" + u + "}, which is no group of the pattern");
}

std::optional<AddressParts> AddressPattern::parse(std::string_view address) const {
    const std::wstring w = widen(address);
    std::wsmatch m;
    if (!std::regex_search(w, m, *regex_)) return std::nullopt;
    AddressParts parts;
    for (std::size_t i = 0; i < names_.size(); ++i) {
        if (names_[i].empty() || !m[i + 1].matched) continue;
        const std::wstring value(m[i + 1].first, m[i + 1].second);
        const std::string v = narrow(trim(value));
        if (v.empty()) continue;
        parts.groups.emplace(names_[i], v);   // the first group of a name that matched wins
    }
    auto group = [&](const std::string& name) -> const std::string* {
        auto it = parts.groups.find(name);
        return it == parts.groups.end() ? nullptr : &it->second;
    };
    // The building id from the template; every group it uses must have matched.
    std::string id;
    for (std::size_t i = 0; i < template_.size();) {
        if (template_[i] != '{') { id += template_[i++]; continue; }
        const std::size_t end = template_.find('}', i);
        const std::string* v = group(template_.substr(i + 1, end - i - 1));
        if (!v) return std::nullopt;
        // A number in Chinese or full-width digits (三, 十二, ３) goes into the id in ASCII digits; ASCII is kept as
        // written (leading zeros included).
        const bool ascii = std::all_of(v->begin(), v->end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
        const auto number = ascii ? std::nullopt : parse_number(*v);
        id += number ? std::to_string(*number) : *v;
        i = end + 1;
    }
    parts.building = id;
    for (auto [name, slot] : {std::pair{"unit", &parts.unit}, std::pair{"floor", &parts.floor}}) {
        if (const std::string* v = group(name)) {
            *slot = parse_number(*v);
            if (!*slot) return std::nullopt;
        }
    }
    if (const std::string* v = group("room")) parts.room = *v;
    return parts;
}

// --- BuildingLocator ---------------------------------------------------------------------------------------------

namespace bgi = boost::geometry::index;

struct BuildingLocator::Impl {
    const Dataset* ds = nullptr;
    using Entry = std::pair<geo::Box, std::uint32_t>;
    bgi::rtree<Entry, bgi::rstar<16>> tree;
};

BuildingLocator::BuildingLocator(const Dataset& ds) : impl_(std::make_unique<Impl>()) {
    impl_->ds = &ds;
    std::vector<Impl::Entry> entries;
    entries.reserve(ds.buildings.size());
    for (const Building& b : ds.buildings) {
        if (b.footprint.empty()) continue;
        entries.emplace_back(geo::bg::return_envelope<geo::Box>(b.footprint), static_cast<std::uint32_t>(b.id.index()));
    }
    impl_->tree = decltype(impl_->tree)(entries.begin(), entries.end());   // bulk-loaded (packed)
}

BuildingLocator::~BuildingLocator() = default;
BuildingLocator::BuildingLocator(BuildingLocator&&) noexcept = default;
BuildingLocator& BuildingLocator::operator=(BuildingLocator&&) noexcept = default;

std::optional<BuildingLocator::Hit> BuildingLocator::locate(const geo::Point& p, double max_nearest_m) const {
    const Dataset& ds = *impl_->ds;
    std::vector<Impl::Entry> found;
    impl_->tree.query(bgi::intersects(p), std::back_inserter(found));
    std::optional<Hit> best;
    for (const auto& [box, index] : found) {
        const Building& b = ds.buildings[index];
        if (!geo::bg::covered_by(p, b.footprint)) continue;
        if (!best || b.area_m2 < ds.buildings[best->building.index()].area_m2 ||
            (b.area_m2 == ds.buildings[best->building.index()].area_m2 && index < best->building.index()))
            best = Hit{b.id, 0.0, true};
    }
    if (best || !(max_nearest_m > 0)) return best;
    found.clear();
    const geo::Box around({p.x() - max_nearest_m, p.y() - max_nearest_m}, {p.x() + max_nearest_m, p.y() + max_nearest_m});
    impl_->tree.query(bgi::intersects(around), std::back_inserter(found));
    for (const auto& [box, index] : found) {
        const Building& b = ds.buildings[index];
        if (!b.residential) continue;
        const double d = geo::bg::distance(p, b.footprint);
        if (d > max_nearest_m) continue;
        if (!best || d < best->distance_m || (d == best->distance_m && index < best->building.index()))
            best = Hit{b.id, d, false};
    }
    return best;
}

// --- BuildingResolver --------------------------------------------------------------------------------------------

BuildingResolver::BuildingResolver(const Dataset& ds, const PlacementOptions& options) : ds_(ds), options_(options) {
    bool located = false, addressed = false;
    for (const Household& h : ds.households) {
        if (!h.building_ref.empty()) continue;
        addressed = addressed || !h.address.empty();
        located = located || (h.address.empty() && h.location);
    }
    if (located) locator_ = std::make_unique<BuildingLocator>(ds);
    if (addressed)
        for (const Building& b : ds.buildings)
            if (!b.name.empty()) names_[b.name].push_back(b.id);
}

BuildingResolver::~BuildingResolver() = default;

Reason BuildingResolver::by_id(const std::string& id, BuildingId& out) const {
    if (ds_.ambiguous_building_ids.count(id)) return Reason::ambiguous_building;
    if (ds_.rejected_buildings.count(id)) return Reason::rejected_building;
    auto it = ds_.building_by_source_id.find(id);
    if (it == ds_.building_by_source_id.end()) return Reason::unknown_building;
    out = it->second;
    return Reason::assigned;
}

BuildingMatch BuildingResolver::resolve(const Household& h) const {
    BuildingMatch m;
    m.unit_number = h.unit_number;
    m.floor = h.floor;
    m.room = h.room;
    if (!h.building_ref.empty()) {
        m.reason = by_id(h.building_ref, m.building);
        if (m.reason == Reason::assigned) m.placed_by = PlacedBy::building_id;
    } else if (!h.address.empty()) {
        const auto parts = options_.address ? options_.address->parse(h.address) : std::nullopt;
        if (!parts) {
            m.reason = Reason::unparsable_address;
        } else {
            m.reason = by_id(parts->building, m.building);
            if (m.reason == Reason::unknown_building) {
                // No building has that id: a building whose name is exactly that, if there is only one.
                if (auto it = names_.find(parts->building); it != names_.end()) {
                    if (it->second.size() == 1) { m.building = it->second.front(); m.reason = Reason::assigned; }
                    else m.reason = Reason::ambiguous_building;
                }
            }
            if (m.reason == Reason::assigned) m.placed_by = PlacedBy::address;
            if (!m.unit_number) m.unit_number = parts->unit;
            if (!m.floor) m.floor = parts->floor;
            if (m.room.empty()) m.room = parts->room;
        }
    } else if (h.location) {
        const auto hit = locator_ ? locator_->locate(*h.location, options_.max_nearest_m) : std::nullopt;
        if (!hit) {
            m.reason = Reason::no_building_at_location;
        } else {
            m.reason = Reason::assigned;
            m.building = hit->building;
            m.placed_by = hit->inside ? PlacedBy::point_in_building : PlacedBy::nearest_building;
            m.distance_m = hit->distance_m;
        }
    } else {
        m.reason = Reason::missing_building_ref;
    }
    if (m.reason != Reason::assigned) m.building = BuildingId{};
    return m;
}

}  // namespace gridatlas::assign
