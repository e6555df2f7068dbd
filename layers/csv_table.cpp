// The strict, recovering delimited-text reader (see csv_table.hpp): record parsing with recovery to the next
// physical line, per-field decoding to UTF-8 (GB18030 through iconv), and the file's record accounting.
#include "csv_table.hpp"

#include <iconv.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>

#include "model/text.hpp"

namespace gridatlas::layers {

namespace {

struct IconvCloser {
    void operator()(void* cd) const { iconv_close(static_cast<iconv_t>(cd)); }
};
using IconvPtr = std::unique_ptr<void, IconvCloser>;

IconvPtr open_iconv(const std::string& from) {
    iconv_t cd = iconv_open("UTF-8", from.c_str());
    if (cd == reinterpret_cast<iconv_t>(-1)) throw std::runtime_error("the encoding '" + from + "' is not known to iconv");
    return IconvPtr(cd);
}

// Converts `s` with `cd`; false when a byte sequence is invalid or incomplete in the source encoding.
bool convert(void* cd, std::string_view s, std::string& out) {
    iconv(static_cast<iconv_t>(cd), nullptr, nullptr, nullptr, nullptr);
    out.assign(s.size() * 4 + 4, '\0');
    char* in = const_cast<char*>(s.data());
    std::size_t in_left = s.size(), out_left = out.size();
    char* o = out.data();
    if (iconv(static_cast<iconv_t>(cd), &in, &in_left, &o, &out_left) == static_cast<std::size_t>(-1)) return false;
    out.resize(out.size() - out_left);
    return true;
}

bool ascii(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

bool cjk(char32_t c) {
    return (c >= 0x2E80 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFF00 && c <= 0xFFEF) || (c >= 0x20000 && c <= 0x3134F);
}

// Code points of CJK scripts and punctuation in valid UTF-8 `s`.
std::size_t cjk_count(std::string_view s) {
    std::size_t n = 0;
    for (char32_t c : text::decode_utf8(s)) n += cjk(c);
    return n;
}

// Whether UTF-8 `s` is Chinese (CJK) and ASCII only, with at least one CJK character.
bool chinese_or_ascii(std::string_view s) {
    const auto cps = text::decode_utf8(s);
    return std::all_of(cps.begin(), cps.end(), [](char32_t c) { return c < 0x80 || cjk(c); }) && cjk_count(s) > 0;
}

// One record's raw bytes, as the parser found them.
struct RawRecord {
    std::vector<std::string> fields;
    std::size_t end = 0;            // position after the record's line break
    std::int64_t lines = 1;         // physical lines it spans
    bool unterminated = false;      // a quoted field ran to the end of the file
    bool stray_quote = false;       // a quote inside a field, kept as a character
    bool nul = false;
    bool too_long = false;
};

class Parser {
public:
    Parser(std::string_view text, char delimiter, std::size_t max_field) : s_(text), d_(delimiter), max_(max_field) {}

    // Parses one record from `pos`; a quoted field may span lines.
    RawRecord record(std::size_t pos) const {
        RawRecord r;
        std::string field;
        std::size_t i = pos;
        const auto append = [&](char c) {
            if (c == '\0') r.nul = true;
            if (field.size() >= max_) r.too_long = true;
            else field += c;
        };
        while (true) {
            if (i < s_.size() && s_[i] == '"') {  // a quoted field
                ++i;
                while (true) {
                    if (i >= s_.size()) { r.unterminated = true; break; }
                    const char c = s_[i];
                    if (c == '"') {
                        if (i + 1 < s_.size() && s_[i + 1] == '"') { append('"'); i += 2; continue; }
                        if (i + 1 >= s_.size() || s_[i + 1] == d_ || s_[i + 1] == '\n' || s_[i + 1] == '\r') { ++i; break; }
                        r.stray_quote = true;  // "a"b": the quote is part of the text
                        append('"');
                        ++i;
                        continue;
                    }
                    if (c == '\n') ++r.lines;
                    append(c);
                    ++i;
                }
            }
            while (i < s_.size() && s_[i] != d_ && s_[i] != '\n' && s_[i] != '\r') {
                if (s_[i] == '"') r.stray_quote = true;
                append(s_[i++]);
            }
            r.fields.push_back(std::move(field));
            field.clear();
            if (i < s_.size() && s_[i] == d_) { ++i; continue; }
            if (i < s_.size() && s_[i] == '\r') ++i;
            if (i < s_.size() && s_[i] == '\n') ++i;
            r.end = i;
            return r;
        }
    }

    // The position after the line break that ends the physical line starting at `pos`.
    std::size_t next_line(std::size_t pos) const {
        const std::size_t nl = s_.find('\n', pos);
        return nl == std::string_view::npos ? s_.size() : nl + 1;
    }

    // A physical line as one record of unquoted fields: used to reject a malformed record on its own line only.
    RawRecord line_only(std::size_t pos) const {
        RawRecord r;
        r.end = next_line(pos);
        return r;
    }

private:
    std::string_view s_;
    char d_;
    std::size_t max_;
};

char detect_delimiter(std::string_view text) {
    const std::string_view first = text.substr(0, text.find('\n'));
    std::array<std::pair<char, int>, 4> counts{{{',', 0}, {';', 0}, {'\t', 0}, {'|', 0}}};
    bool quoted = false;
    for (char c : first) {
        if (c == '"') quoted = !quoted;
        if (quoted) continue;
        for (auto& [d, n] : counts) n += c == d;
    }
    auto best = std::max_element(counts.begin(), counts.end(), [](auto a, auto b) { return a.second < b.second; });
    return best->second > 0 ? best->first : ',';
}

bool blank(const RawRecord& r) { return r.fields.size() == 1 && r.fields[0].find_first_not_of(" \t") == std::string::npos; }

std::string upper(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

// Decodes every field to UTF-8; returns what was done to the record ("" when nothing).
class Decoder {
public:
    explicit Decoder(const std::string& declared) {
        const std::string e = upper(declared);
        if (e.empty() || e == "AUTO") mode_ = Mode::detect;
        else if (e == "UTF-8" || e == "UTF8") mode_ = Mode::utf8;
        else {
            mode_ = Mode::declared;
            cd_ = open_iconv(e == "GBK" || e == "CP936" ? "GB18030" : declared);
        }
        if (!cd_) cd_ = open_iconv("GB18030");
    }

    std::string decode(std::vector<std::string>& fields) {
        std::string done;
        for (std::string& f : fields) {
            if (ascii(f)) continue;
            std::string out;
            if (mode_ != Mode::declared && text::valid_utf8(f)) {
                // Short GBK text can also be valid UTF-8 ("谢英" in GBK is the UTF-8 of "лӢ"): in detect mode, a value
                // whose UTF-8 reading has no Chinese but whose GB18030 reading is all Chinese is read as GB18030.
                if (mode_ == Mode::utf8 || cjk_count(f) > 0 || !convert(cd_.get(), f, out) || !chinese_or_ascii(out)) {
                    ++utf8_;
                    continue;
                }
                f = std::move(out);
                ++converted_;
                if (done.empty()) done = "converted";
                continue;
            }
            if (mode_ != Mode::utf8 && convert(cd_.get(), f, out)) {
                f = std::move(out);
                ++converted_;
                if (mode_ == Mode::detect && done.empty()) done = "converted";
            } else {
                f = text::sanitize_utf8(f);
                done = "replaced";
            }
        }
        return done;
    }

    std::string summary() const {
        if (mode_ == Mode::declared) return "declared";
        if (converted_ && utf8_) return "mixed";
        return converted_ ? "GB18030" : "UTF-8";
    }

private:
    enum class Mode { detect, utf8, declared } mode_ = Mode::detect;
    IconvPtr cd_;
    std::size_t utf8_ = 0, converted_ = 0;
};

CsvProblem problem(const CsvRow& at, std::string code, std::string message, std::string hint) {
    return {at.record, at.line, std::move(code), std::move(message), std::move(hint)};
}

// Why a parsed record cannot be a row, or "" when it can.
std::string rejection(const RawRecord& r, std::size_t columns, std::string& message, std::string& hint,
                      std::size_t max_field) {
    if (r.unterminated || (r.lines > 1 && r.fields.size() != columns)) {
        message = "a quoted field is not closed on this line: the record is read as this line only and rejected";
        hint = "close the quote (a quote inside a quoted field is written twice: \"\"), or remove it";
        return "unterminated_quote";
    }
    if (r.nul) {
        message = "the record holds a NUL byte (binary data in a text file)";
        hint = "re-export the roster as text; the record is not read";
        return "nul_byte";
    }
    if (r.too_long) {
        message = "a field is longer than " + std::to_string(max_field / 1024) + " KiB";
        hint = "check the record: a long field usually means a broken export";
        return "field_too_long";
    }
    if (r.fields.size() != columns) {
        message = "the record has " + std::to_string(r.fields.size()) + " fields where the header has " + std::to_string(columns);
        hint = "fix the number of separators on this line (a separator inside a value needs the value quoted)";
        return "wrong_field_count";
    }
    return {};
}

}  // namespace

bool is_delimited_text(const std::filesystem::path& file) {
    const std::string e = upper(file.extension().string());
    return e == ".CSV" || e == ".TSV" || e == ".TXT";
}

namespace {

std::string_view without_bom(std::string_view text) {
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    return text;
}

}  // namespace

CsvTable parse_csv_header(std::string_view text, const CsvOptions& options) {
    CsvTable t;
    text = without_bom(text);
    t.delimiter = detect_delimiter(text);
    Decoder decoder(options.encoding);
    RawRecord head = Parser(text, t.delimiter, options.max_field_bytes).record(0);
    decoder.decode(head.fields);
    t.header = std::move(head.fields);
    t.lines_in_file = static_cast<std::int64_t>(std::count(text.begin(), text.end(), '\n')) + 1;
    return t;
}

void parse_csv_rows(std::string_view text, const CsvOptions& options, CsvTable& t, const CsvRowSink& on_row) {
    const std::int64_t lines_in_file = static_cast<std::int64_t>(std::count(text.begin(), text.end(), '\n')) + 1;
    t = CsvTable{};
    t.lines_in_file = lines_in_file;
    text = without_bom(text);
    t.delimiter = detect_delimiter(text);
    Decoder decoder(options.encoding);
    const Parser parser(text, t.delimiter, options.max_field_bytes);
    RawRecord head = parser.record(0);
    decoder.decode(head.fields);
    t.header = std::move(head.fields);
    std::size_t pos = head.end;
    std::int64_t line = 1 + head.lines;
    CsvRow row;
    while (pos < text.size()) {
        RawRecord r = parser.record(pos);
        const std::int64_t start_line = line;
        if (blank(r)) {
            pos = r.end;
            line += r.lines;
            continue;
        }
        row.record = ++t.records_in_file;
        row.line = start_line;
        std::string message, hint;
        const std::string code = rejection(r, t.header.size(), message, hint, options.max_field_bytes);
        if (code == "unterminated_quote") r = parser.line_only(pos), r.lines = 1;
        pos = r.end;
        line += r.lines;
        if (!code.empty()) {
            t.rejected.push_back(problem(row, code, message, hint));
            continue;
        }
        const std::string decoded = decoder.decode(r.fields);
        if (decoded == "replaced")
            t.notes.push_back(problem(row, "invalid_bytes", "bytes that are neither UTF-8 nor GBK/GB18030 were replaced by U+FFFD",
                                      "save the roster as UTF-8, or declare encoding = \"GBK\" in its table"));
        else if (decoded == "converted")
            t.notes.push_back(problem(row, "converted_encoding", "text read as GBK/GB18030 and converted to UTF-8",
                                      "declare encoding = \"GBK\" in the table to say so, or save the roster as UTF-8"));
        if (r.stray_quote)
            t.notes.push_back(problem(row, "stray_quote", "a quote inside a value was kept as a character",
                                      "check the value; write a quote inside a quoted value as \"\""));
        row.fields = std::move(r.fields);
        on_row(row);
        ++t.rows_read;
    }
    t.encoding = decoder.summary() == "declared" ? upper(options.encoding) : decoder.summary();
}

CsvTable parse_csv_table(std::string_view text, const CsvOptions& options) {
    CsvTable t;
    std::vector<CsvRow> rows;
    parse_csv_rows(text, options, t, [&](CsvRow& row) { rows.push_back(std::move(row)); });
    t.rows = std::move(rows);
    return t;
}

std::string decode_detected(std::string& value) {
    thread_local Decoder decoder{""};
    std::vector<std::string> one{std::move(value)};
    const std::string done = decoder.decode(one);
    value = std::move(one.front());
    return done;
}

std::string read_text_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + file.string());
    // One block of the file's size, read in place. (assign() from stream iterators ignored a reservation: it built
    // the text in a string growing by doubling, then copied it, about four times the file at its peak.)
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    std::string bytes;
    if (!ec && size > 0) {
        bytes.resize(static_cast<std::size_t>(size));
        in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        bytes.resize(static_cast<std::size_t>(in.gcount()));
    }
    // What the size did not tell (a file still growing, or one whose size is unknown), in blocks.
    std::array<char, 1 << 16> block;
    while (in.read(block.data(), block.size()) || in.gcount() > 0) bytes.append(block.data(), static_cast<std::size_t>(in.gcount()));
    if (in.bad()) throw std::runtime_error("cannot read " + file.string());
    return bytes;
}

CsvTable read_csv_table(const std::filesystem::path& file, const CsvOptions& options) {
    return parse_csv_table(read_text_file(file), options);
}

}  // namespace gridatlas::layers
