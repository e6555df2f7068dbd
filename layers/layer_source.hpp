// Where one input layer comes from and how its fields map onto GridAtlas's names.
#pragma once
#include <filesystem>
#include <map>
#include <string>

namespace gridatlas::layers {

struct LayerSource {
    std::string role;                           // "buildings", "households", "grids:网格" … for messages
    std::filesystem::path file;                 // absolute, or relative to the working directory
    std::string layer;                          // empty: the file's only/first layer
    std::string crs;                            // overrides/declares the layer's CRS (e.g. for a .shp without .prj)
    std::map<std::string, std::string> fields;  // GridAtlas name → the layer's field name
    std::string encoding;                       // text tables: "UTF-8", "GBK", "GB18030"; empty: detect per field

    // The layer's field name for `key`, or `key` itself when the project file did not map it.
    std::string field(const std::string& key) const {
        auto it = fields.find(key);
        return it == fields.end() ? key : it->second;
    }
    bool maps(const std::string& key) const { return fields.count(key) > 0; }
};

}  // namespace gridatlas::layers
