// The roster's personal fields — the head of household's name and the phone number — for the few households an
// officer list is about, and for no other. Only the officer job calls this; nothing else in GridAtlas reads them.
//
// Which fields: [households] name = "<field>" and phone = "<field>" in the project file (both optional; an unmapped
// one is read as empty). Rows are picked by their roster row (Household::row, the layer's feature id), so duplicate
// household ids do not mix two people up. Other rows' values are dropped as they are read, and no
// value read here is ever put into a Diagnostic, an exception message or a log: the only errors raised name the
// file, the layer and the field.
#pragma once
#include <cstdint>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "layer_source.hpp"

namespace gridatlas::layers {

struct PersonalFields {
    std::string name;   // head of household (户主)
    std::string phone;
};

// True when the project maps at least one personal field.
bool has_personal_fields(const LayerSource& households);

// True when the project maps the key-group field ([households] key_groups = "<field>"): the households' 重点人群
// (elderly living alone, disabled, low-income …), personal like name and phone, read only for officer products.
bool has_key_groups(const LayerSource& households);

// The key groups of the roster rows `rows` that have any: the field's text split at 、 , ; ， ； / and blanks. Same
// reader, rows and errors as read_personal_fields; values never reach a message.
std::unordered_map<std::int64_t, std::vector<std::string>> read_key_groups(const LayerSource& households,
                                                                           const std::set<std::int64_t>& rows);

// Reads the personal fields of the roster rows `rows`. Throws DataError (file, layer, field name; no value) when the
// roster cannot be opened or a mapped field is missing.
std::unordered_map<std::int64_t, PersonalFields> read_personal_fields(const LayerSource& households,
                                                                      const std::set<std::int64_t>& rows);

}  // namespace gridatlas::layers
