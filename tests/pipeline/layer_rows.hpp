// Reading an output layer back in tests: one row per feature, field name → value as text ("" for null).
#pragma once
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "vector_reader.hpp"

namespace gridatlas::test {

using LayerRow = std::map<std::string, std::string>;

inline std::vector<LayerRow> read_layer(const std::filesystem::path& file, const std::string& layer) {
    layers::LayerSource src;
    src.role = layer;
    src.file = file;
    src.layer = layer;
    layers::VectorReader r(src, "");
    const auto names = r.field_names();
    for (const auto& n : names) r.request_field(n, true);
    std::vector<LayerRow> rows;
    r.for_each([&](layers::FeatureView& f) {
        LayerRow row;
        for (std::size_t i = 0; i < names.size(); ++i) row[names[i]] = f.text(i);
        rows.push_back(std::move(row));
    });
    return rows;
}

// The first row whose `field` is `value`; a test failure (and an empty row) when there is none.
inline LayerRow row_where(const std::vector<LayerRow>& rows, const std::string& field, const std::string& value) {
    for (const auto& r : rows)
        if (r.at(field) == value) return r;
    ADD_FAILURE() << "no row with " << field << " = " << value;
    return {};
}

}  // namespace gridatlas::test
