// SQL's quoting, the same in SQLite and PostgreSQL (standard_conforming_strings): an identifier in double quotes and
// a string literal in single quotes, each with its inner quotes doubled. The one implementation for every SQL the
// layers write (GeoPackage tables, scopes, the PostGIS store).
#pragma once
#include <string>
#include <string_view>

namespace gridatlas::layers {

inline std::string sql_quoted(std::string_view text, char quote) {
    std::string out(1, quote);
    for (char c : text) {
        if (c == quote) out += quote;
        out += c;
    }
    out += quote;
    return out;
}

inline std::string sql_identifier(std::string_view name) { return sql_quoted(name, '"'); }
inline std::string sql_literal(std::string_view text) { return sql_quoted(text, '\''); }

}  // namespace gridatlas::layers
