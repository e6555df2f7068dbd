// A private PostgreSQL + PostGIS cluster for the tests of one process (scripts/pg_cluster.sh: a temporary folder, a
// free loopback port, run as `postgres` when the tests run as root), started once and stopped at the end, with
// PGHOST/PGPORT/PGUSER set so that GDAL, libpq and child processes reach it. A test that needs it fails (never
// skips) when the cluster cannot start: install-deps.sh installs postgresql-15 and postgresql-15-postgis-3.
#pragma once
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "shell_text.hpp"

namespace gridatlas::test {

class PgCluster : public ::testing::Environment {
public:
    static std::string& connection() {   // "PG:dbname=gridatlas host=127.0.0.1 port=N user=postgres"
        static std::string c;
        return c;
    }
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() / ("gridatlas_pg_" + std::to_string(::getpid()));
        script_ = std::filesystem::path(GRIDATLAS_SOURCE_DIR) / "scripts" / "pg_cluster.sh";
        shell(quote(script_.string()) + " stop " + quote(dir_.string()) + " >/dev/null 2>&1");   // a previous process with this pid
        const int rc = shell(quote(script_.string()) + " start " + quote(dir_.string()) + " >/dev/null");
        ASSERT_EQ(rc, 0) << "scripts/pg_cluster.sh could not start PostgreSQL + PostGIS (postgresql-15, postgresql-15-postgis-3)";
        std::ifstream in(dir_ / "port");
        std::string port;
        in >> port;
        ASSERT_FALSE(port.empty());
        ::setenv("PGHOST", "127.0.0.1", 1);
        ::setenv("PGPORT", port.c_str(), 1);
        ::setenv("PGUSER", "postgres", 1);
        connection() = "PG:dbname=gridatlas host=127.0.0.1 port=" + port;
        started_ = true;
    }
    void TearDown() override {
        if (started_) shell(quote(script_.string()) + " stop " + quote(dir_.string()));
    }

private:
    std::filesystem::path dir_, script_;
    bool started_ = false;
};

}  // namespace gridatlas::test
