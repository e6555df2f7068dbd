// Unit tests of layers/sqlite_db.hpp, the one sqlite3 wrapper: rows in and out, a transaction that is not committed
// leaves nothing, read-only means read-only, and every error names the file and the SQL.
#include "sqlite_db.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>

namespace gridatlas::layers::sqlite {
namespace {

namespace fs = std::filesystem;

fs::path scratch(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / ("gridatlas-sqlite-db-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    fs::remove(dir / name);
    return dir / name;
}

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "(no error)";
}

TEST(SqliteDb, WritesAndReadsRowsAndCountsOnlyCommittedTransactions) {
    const fs::path file = scratch("rows.db");
    Database db(file, Mode::create);
    db.exec("CREATE TABLE t (k INTEGER, name TEXT, data BLOB)");
    Statement put(db, "INSERT INTO t (k, name, data) VALUES (?, ?, ?)");
    const std::string blob("a\0b", 3);
    {
        Transaction t(db);
        put.bind(1, 1).bind(2, std::string("网格")).bind_blob(3, blob).run();
        put.bind(1, std::int64_t{1} << 40).bind(2, std::string("big")).bind_blob(3, std::string()).run();
        t.commit();
    }
    {
        Transaction t(db);   // never committed: rolled back when it goes
        put.bind(1, 3).bind(2, std::string("lost")).bind_blob(3, blob).run();
    }
    EXPECT_TRUE(table_exists(db, "t"));
    EXPECT_FALSE(table_exists(db, "u"));
    Statement get(db, "SELECT k, name, data FROM t ORDER BY k");
    ASSERT_TRUE(get.step());
    EXPECT_EQ(get.column_int(0), 1);
    EXPECT_EQ(get.column_text(1), "网格");
    EXPECT_EQ(get.column_blob(2), blob);   // the NUL byte kept
    ASSERT_TRUE(get.step());
    EXPECT_EQ(get.column_int64(0), std::int64_t{1} << 40);
    EXPECT_EQ(get.column_blob(2), "");
    EXPECT_FALSE(get.step());   // row 3 was rolled back
}

TEST(SqliteDb, ErrorsNameTheFileAndTheSql) {
    const fs::path file = scratch("errors.db");
    Database db(file, Mode::create);
    const std::string prepare = error_of([&] { Statement s(db, "SELECT k FROM nowhere"); });
    EXPECT_NE(prepare.find(file.string()), std::string::npos) << prepare;
    EXPECT_NE(prepare.find("SELECT k FROM nowhere"), std::string::npos) << prepare;
    EXPECT_NE(prepare.find("no such table"), std::string::npos) << prepare;

    db.exec("CREATE TABLE u (k INTEGER PRIMARY KEY)");
    Statement put(db, "INSERT INTO u (k) VALUES (?)");
    put.bind(1, 7).run();
    const std::string step = error_of([&] { put.bind(1, 7).run(); });   // the same key twice
    EXPECT_NE(step.find(file.string()), std::string::npos) << step;
    EXPECT_NE(step.find("INSERT INTO u"), std::string::npos) << step;
    EXPECT_NE(step.find("UNIQUE"), std::string::npos) << step;

    const std::string exec = error_of([&] { db.exec("DROP TABLE missing"); });
    EXPECT_NE(exec.find(file.string()), std::string::npos) << exec;
    EXPECT_NE(exec.find("DROP TABLE missing"), std::string::npos) << exec;
}

TEST(SqliteDb, ReadOnlyRefusesWritesAndAMissingOrForeignFileIsNamed) {
    const fs::path file = scratch("ro.db");
    Database(file, Mode::create).exec("CREATE TABLE t (k INTEGER)");
    Database ro(file, Mode::read_only);
    const std::string write = error_of([&] { ro.exec("INSERT INTO t VALUES (1)"); });
    EXPECT_NE(write.find("readonly"), std::string::npos) << write;

    const fs::path missing = scratch("missing.db");
    const std::string open = error_of([&] { Database d(missing, Mode::read_only); });
    EXPECT_NE(open.find(missing.string()), std::string::npos) << open;
    EXPECT_FALSE(fs::exists(missing));   // read-only never makes the file

    const fs::path text = scratch("text.db");
    std::ofstream(text) << "this is not a database, only text that is long enough to have a header";
    Database t(text, Mode::read_only);   // SQLite reads lazily: the first statement finds out
    const std::string foreign = error_of([&] { (void)table_exists(t, "tiles"); });
    EXPECT_NE(foreign.find(text.string()), std::string::npos) << foreign;
    EXPECT_NE(foreign.find("not a database"), std::string::npos) << foreign;
}

}  // namespace
}  // namespace gridatlas::layers::sqlite
