#include "personal_fields.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include "gdal_session.hpp"
#include "model/diagnostics.hpp"

namespace gridatlas::layers {

bool has_personal_fields(const LayerSource& households) { return households.maps("name") || households.maps("phone"); }

std::unordered_map<std::int64_t, PersonalFields> read_personal_fields(const LayerSource& src, const std::set<std::int64_t>& rows) {
    std::unordered_map<std::int64_t, PersonalFields> out;
    if (rows.empty() || !has_personal_fields(src)) return out;
    ensure_gdal();
    const std::string file = src.file.string();
    GDALDatasetUniquePtr dataset(GDALDataset::Open(file.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    if (!dataset)
        throw DataError({Severity::error, "unreadable_file", {file, src.layer, "", {}, {}}, "cannot open the household roster",
                         "check the [households] file"});
    OGRLayer* layer = src.layer.empty() ? (dataset->GetLayerCount() == 1 ? dataset->GetLayer(0) : nullptr)
                                        : dataset->GetLayerByName(src.layer.c_str());
    if (!layer)
        throw DataError({Severity::error, "layer_not_found", {file, src.layer, "", {}, {}}, "cannot find the household roster's layer",
                         "check layer in [households]"});
    OGRFeatureDefn* defn = layer->GetLayerDefn();
    auto index = [&](const std::string& key) -> int {
        if (!src.maps(key)) return -1;
        const std::string name = src.field(key);
        const int i = defn->GetFieldIndex(name.c_str());
        if (i < 0)
            throw DataError({Severity::error, "missing_field", {file, layer->GetName(), "", {}, {}},
                             "the household roster has no field '" + name + "' (for " + key + ")",
                             "fix " + key + " = \"<field>\" in [households], or remove it"});
        return i;
    };
    const int name_i = index("name");
    const int phone_i = index("phone");
    // Skip the other fields and the geometry: only the two personal fields of the chosen rows are turned into text.
    std::vector<std::string> ignored;
    for (int i = 0; i < defn->GetFieldCount(); ++i)
        if (i != name_i && i != phone_i) ignored.emplace_back(defn->GetFieldDefn(i)->GetNameRef());
    ignored.emplace_back("OGR_GEOMETRY");
    std::vector<const char*> list;
    for (const auto& s : ignored) list.push_back(s.c_str());
    list.push_back(nullptr);
    layer->SetIgnoredFields(list.data());
    layer->ResetReading();
    for (auto& feature : *layer) {
        const std::int64_t fid = feature->GetFID();
        if (!rows.count(fid)) continue;
        PersonalFields& p = out[fid];
        if (name_i >= 0 && feature->IsFieldSetAndNotNull(name_i)) p.name = feature->GetFieldAsString(name_i);
        if (phone_i >= 0 && feature->IsFieldSetAndNotNull(phone_i)) p.phone = feature->GetFieldAsString(phone_i);
        if (out.size() == rows.size()) break;
    }
    layer->SetIgnoredFields(nullptr);
    return out;
}

}  // namespace gridatlas::layers
