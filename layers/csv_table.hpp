// A strict, recovering reader for delimited text tables (CSV, TSV): the household roster as offices export it.
// GDAL's CSV driver stops or merges rows silently at a stray or unterminated quote; this reader accounts for every
// record of the file: each one is a row or a problem with its line number, reason and what to do, and a malformed
// record never swallows the records after it. Text is converted to UTF-8 (UTF-8 with or without BOM, GBK/GB18030
// detected per field or declared), so invalid bytes never pass through.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace gridatlas::layers {

struct CsvRow {
    std::int64_t record = 0;            // 1-based ordinal of the record among the file's data records
    std::int64_t line = 0;              // the physical line the record starts on (the header is line 1)
    std::vector<std::string> fields;    // UTF-8
};

struct CsvProblem {
    std::int64_t record = 0;
    std::int64_t line = 0;
    std::string code;                   // malformed_row: wrong_field_count, unterminated_quote, field_too_long, nul_byte
    std::string message;                // never carries the values themselves (they may be personal)
    std::string hint;
};

struct CsvTable {
    std::vector<std::string> header;
    std::vector<CsvRow> rows;           // well-formed records, in file order (parse_csv_table; empty when streamed)
    std::int64_t rows_read = 0;         // well-formed records (streamed or held)
    std::int64_t lines_in_file = 0;     // physical lines: an upper bound of the records, for reserving
    std::vector<CsvProblem> rejected;   // records not read, one each
    std::vector<CsvProblem> notes;      // records read with a repair (stray quote, converted or replaced bytes)
    std::int64_t records_in_file = 0;   // rows.size() + rejected.size(): every non-blank record after the header
    std::string encoding = "UTF-8";     // what the text was read as: UTF-8, GB18030, or "mixed"
    char delimiter = ',';
};

struct CsvOptions {
    std::string encoding;               // empty or "auto": detect per field; "UTF-8", "GBK", "GB18030" to declare
    std::size_t max_field_bytes = 64 * 1024;
};

// Streams `bytes` (the whole file) record by record: each well-formed row goes to `on_row` (which may take its
// fields) as it is read and is not kept, so a million-row roster never exists as a table of strings. `t` gets the
// header, the rejected records, the repairs, the counts and the encoding. Throws like parse_csv_table.
using CsvRowSink = std::function<void(CsvRow&)>;
void parse_csv_rows(std::string_view bytes, const CsvOptions& options, CsvTable& t, const CsvRowSink& on_row);

// The header, delimiter and line count of `bytes` only (no rows): for looking up columns before streaming.
CsvTable parse_csv_header(std::string_view bytes, const CsvOptions& options = {});

// The bytes of `file`, read once into one string; throws std::runtime_error when it cannot be read.
std::string read_text_file(const std::filesystem::path& file);

// Parses `bytes` (the whole file) into a table holding every row. Throws std::runtime_error only for a declared encoding iconv does not know.
CsvTable parse_csv_table(std::string_view bytes, const CsvOptions& options = {});

// Reads and parses `file`; throws std::runtime_error when it cannot be read.
CsvTable read_csv_table(const std::filesystem::path& file, const CsvOptions& options = {});

// One value as the reader detects it (the text of a .dbf without .cpg, for instance): valid UTF-8 is kept (unless it
// has no Chinese while its GB18030 reading is all Chinese), else GB18030 is converted, else invalid bytes are replaced
// by U+FFFD. Returns "" (kept), "converted" or "replaced".
std::string decode_detected(std::string& value);

// Whether `file` is read by this reader rather than GDAL: .csv, .tsv and .txt tables.
bool is_delimited_text(const std::filesystem::path& file);

}  // namespace gridatlas::layers
