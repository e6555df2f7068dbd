// The strict delimited-text reader on tiny hand-written tables: every record is a row or a problem with its line,
// a malformed record never swallows the records after it, and text comes out as UTF-8.
#include "csv_table.hpp"
#include "model/text.hpp"

#include <gtest/gtest.h>

#include <iconv.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace gridatlas::layers {
namespace {

std::vector<std::int64_t> lines_of(const std::vector<CsvProblem>& ps) {
    std::vector<std::int64_t> out;
    for (const auto& p : ps) out.push_back(p.line);
    return out;
}

std::vector<std::string> ids(const CsvTable& t) {
    std::vector<std::string> out;
    for (const auto& r : t.rows) out.push_back(r.fields.at(0));
    return out;
}

// UTF-8 → GB18030 through iconv, to write the GBK fixture bytes without committing binary files.
std::string to_gbk(const std::string& utf8) {
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    std::string out(utf8.size() * 2 + 4, '\0');
    char* in = const_cast<char*>(utf8.data());
    char* o = out.data();
    std::size_t il = utf8.size(), ol = out.size();
    iconv(cd, &in, &il, &o, &ol);
    iconv_close(cd);
    out.resize(out.size() - ol);
    return out;
}

TEST(CsvTable, PlainTableWithCrlfAndBom) {
    const CsvTable t = parse_csv_table("\xEF\xBB\xBFid,name\r\n1,a\r\n2,b\r\n");
    EXPECT_EQ(t.header, (std::vector<std::string>{"id", "name"}));
    EXPECT_EQ(ids(t), (std::vector<std::string>{"1", "2"}));
    EXPECT_EQ(t.records_in_file, 2);
    EXPECT_EQ(t.rows[1].line, 3);
    EXPECT_EQ(t.rows[1].record, 2);
    EXPECT_TRUE(t.rejected.empty());
}

TEST(CsvTable, QuotedNewlineIsOneRecordAndLinesStayRight) {
    const CsvTable t = parse_csv_table("id,addr\n1,\"a\nb\"\n2,c\n");
    ASSERT_EQ(t.rows.size(), 2u);
    EXPECT_EQ(t.rows[0].fields[1], "a\nb");
    EXPECT_EQ(t.rows[1].line, 4);  // header 1, record 1 on lines 2-3
    EXPECT_TRUE(t.rejected.empty());
}

TEST(CsvTable, StrayQuoteInsideAValueIsKeptAndNoted) {
    const CsvTable t = parse_csv_table("id,name\n1,Zhang\"San\n2,\"Li\"Si\"\n3,x\n");
    EXPECT_EQ(ids(t), (std::vector<std::string>{"1", "2", "3"}));
    EXPECT_EQ(t.rows[0].fields[1], "Zhang\"San");
    EXPECT_EQ(t.rows[1].fields[1], "Li\"Si");
    EXPECT_EQ(lines_of(t.notes), (std::vector<std::int64_t>{2, 3}));
    EXPECT_EQ(t.notes[0].code, "stray_quote");
}

TEST(CsvTable, UnterminatedQuoteRejectsItsLineOnly) {
    // Record 2 opens a quote that never closes: GDAL reads it to the end of the file. Here line 3 is rejected and
    // the records after it are read.
    const CsvTable t = parse_csv_table("id,name\n1,a\n2,\"b\n3,c\n4,d\n");
    EXPECT_EQ(ids(t), (std::vector<std::string>{"1", "3", "4"}));
    ASSERT_EQ(t.rejected.size(), 1u);
    EXPECT_EQ(t.rejected[0].line, 3);
    EXPECT_EQ(t.rejected[0].record, 2);
    EXPECT_EQ(t.rejected[0].code, "unterminated_quote");
    EXPECT_EQ(t.records_in_file, 4);
    EXPECT_EQ(t.rows[1].line, 4);
}

TEST(CsvTable, WrongFieldCountNulAndLongFieldAreRejectedWithTheirLines) {
    std::string text = "id,name\n1,a\n2,b,extra\n3\n4,c";
    text += std::string("\0", 1);
    text += "d\n5," + std::string(70 * 1024, 'x') + "\n6,e\n";
    const CsvTable t = parse_csv_table(text);
    EXPECT_EQ(ids(t), (std::vector<std::string>{"1", "6"}));
    EXPECT_EQ(lines_of(t.rejected), (std::vector<std::int64_t>{3, 4, 5, 6}));
    EXPECT_EQ(t.rejected[0].code, "wrong_field_count");
    EXPECT_EQ(t.rejected[2].code, "nul_byte");
    EXPECT_EQ(t.rejected[3].code, "field_too_long");
    EXPECT_EQ(t.records_in_file, 6);
    EXPECT_EQ(t.rows.size() + t.rejected.size(), 6u);
}

TEST(CsvTable, BlankLinesAreNotRecords) {
    const CsvTable t = parse_csv_table("id,name\n1,a\n\n2,b\n\n");
    EXPECT_EQ(t.records_in_file, 2);
    EXPECT_EQ(t.rows[1].line, 4);
}

TEST(CsvTable, SemicolonAndTabDelimitersAreDetected) {
    EXPECT_EQ(parse_csv_table("id;name\n1;a,b\n").rows[0].fields[1], "a,b");
    EXPECT_EQ(parse_csv_table("id\tname\n1\ta b\n").rows[0].fields[1], "a b");
}

TEST(CsvTable, GbkIsDetectedAndConvertedPerField) {
    const CsvTable t = parse_csv_table("id,name\n1," + to_gbk("张三") + "\n2,李四\n");
    ASSERT_EQ(t.rows.size(), 2u);
    EXPECT_EQ(t.rows[0].fields[1], "张三");
    EXPECT_EQ(t.rows[1].fields[1], "李四");
    EXPECT_EQ(t.encoding, "mixed");
    ASSERT_EQ(t.notes.size(), 1u);
    EXPECT_EQ(t.notes[0].code, "converted_encoding");
    EXPECT_EQ(t.notes[0].line, 2);
}

TEST(CsvTable, DeclaredGbkConvertsEveryField) {
    const CsvTable t = parse_csv_table("id,name\n1," + to_gbk("王五") + "\n", CsvOptions{"GBK"});
    EXPECT_EQ(t.rows[0].fields[1], "王五");
    EXPECT_EQ(t.encoding, "GBK");
    EXPECT_TRUE(t.notes.empty());
}

TEST(CsvTable, BytesNoEncodingExplainsAreReplacedAndNoted) {
    const CsvTable t = parse_csv_table("id,name\n1,a\xFF\n", CsvOptions{"UTF-8"});
    EXPECT_EQ(t.rows[0].fields[1], "a\xEF\xBF\xBD");
    ASSERT_EQ(t.notes.size(), 1u);
    EXPECT_EQ(t.notes[0].code, "invalid_bytes");
    EXPECT_TRUE(text::valid_utf8(t.rows[0].fields[1]));
}


// "谢英" in GBK (D0 BB D3 A2) is also valid UTF-8 ("лӢ", Cyrillic): detected as GBK because its UTF-8 reading has no
// Chinese and its GB18030 reading is all Chinese; noted like every converted record. Real UTF-8 Chinese stays.
TEST(CsvTable, GbkBytesThatAreAlsoValidUtf8AreReadAsGbk) {
    const CsvTable t = parse_csv_table("id,name\n1,\xD0\xBB\xD3\xA2\n2,谢英\n");
    ASSERT_EQ(t.rows.size(), 2u);
    EXPECT_EQ(t.rows[0].fields[1], "谢英");
    EXPECT_EQ(t.rows[1].fields[1], "谢英");
    ASSERT_EQ(t.notes.size(), 1u);
    EXPECT_EQ(t.notes[0].code, "converted_encoding");
    EXPECT_EQ(t.notes[0].line, 2);
    // Declared UTF-8: taken as it is.
    EXPECT_EQ(parse_csv_table("id,name\n1,\xD0\xBB\xD3\xA2\n", CsvOptions{"UTF-8"}).rows[0].fields[1], "лӢ");
}

TEST(ReadTextFile, ReadsEveryByteInOneBlock) {
    const auto dir = std::filesystem::temp_directory_path() / ("gridatlas_read_text_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::string bytes;
    const std::string tail(",R393481,\xE5\x8D\x95\0\r\n", 15);   // NULs too
    for (int i = 0; i < 50'000; ++i) bytes.append("H").append(std::to_string(i)).append(tail);
    bytes.insert(0, std::string("\xEF\xBB\xBF"));
    const auto file = dir / "roster.csv";
    { std::ofstream(file, std::ios::binary) << bytes; }
    const std::string read = read_text_file(file);
    EXPECT_EQ(read.size(), bytes.size());
    EXPECT_TRUE(read == bytes);
    EXPECT_EQ(read.capacity(), read.size());   // one block of the file's size, no slack from growing
    { std::ofstream(dir / "empty.csv", std::ios::binary); }
    EXPECT_EQ(read_text_file(dir / "empty.csv"), "");
    EXPECT_THROW(read_text_file(dir / "missing.csv"), std::runtime_error);
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace gridatlas::layers
