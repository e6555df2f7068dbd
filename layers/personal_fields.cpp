// Reads the roster's personal fields (name, phone) for the rows an officer list is about; see personal_fields.hpp.
#include "personal_fields.hpp"

#include "model/diagnostics.hpp"
#include "vector_reader.hpp"

namespace gridatlas::layers {

bool has_personal_fields(const LayerSource& households) { return households.maps("name") || households.maps("phone"); }

std::unordered_map<std::int64_t, PersonalFields> read_personal_fields(const LayerSource& src, const std::set<std::int64_t>& rows) {
    std::unordered_map<std::int64_t, PersonalFields> out;
    if (rows.empty() || !has_personal_fields(src)) return out;
    // The same reader as the roster itself: the same record numbers (Household::row) and the same decoding to UTF-8,
    // so a malformed or GBK roster can never attach one household's name to another.
    VectorReader r(src, "");
    const auto name = r.request_field("name", src.maps("name"));
    const auto phone = r.request_field("phone", src.maps("phone"));
    r.for_each([&](FeatureView& f) {
        if (!rows.count(f.fid)) return;
        PersonalFields& p = out[f.fid];
        if (name) p.name = f.text(*name);
        if (phone) p.phone = f.text(*phone);
    });
    return out;
}

bool has_key_groups(const LayerSource& households) { return households.maps("key_groups"); }

namespace {

std::vector<std::string> split_groups(const std::string& text) {
    std::vector<std::string> out;
    std::string cur;
    auto flush = [&] {
        if (!cur.empty()) out.push_back(cur);
        cur.clear();
    };
    for (std::size_t i = 0; i < text.size();) {
        bool sep = false;
        for (const char* s : {"、", "，", "；", ",", ";", "/", " ", "\t"}) {
            const std::size_t n = std::char_traits<char>::length(s);
            if (text.compare(i, n, s) == 0) {
                flush();
                i += n;
                sep = true;
                break;
            }
        }
        if (!sep) cur += text[i++];
    }
    flush();
    return out;
}

}  // namespace

std::unordered_map<std::int64_t, std::vector<std::string>> read_key_groups(const LayerSource& src, const std::set<std::int64_t>& rows) {
    std::unordered_map<std::int64_t, std::vector<std::string>> out;
    if (rows.empty() || !has_key_groups(src)) return out;
    VectorReader r(src, "");
    const auto field = r.request_field("key_groups", true);
    r.for_each([&](FeatureView& f) {
        if (!rows.count(f.fid)) return;
        auto groups = split_groups(f.text(*field));
        if (!groups.empty()) out[f.fid] = std::move(groups);
    });
    return out;
}

}  // namespace gridatlas::layers
