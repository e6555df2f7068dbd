// The web page's files (web/ plus leaflet/), read into memory once at start-up: a request can only ever get one of
// the files found then, by exact path, so no request path reaches the file system (no traversal, no symlinks).
#pragma once
#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace gridatlas::server {

struct StaticFile {
    std::string content;
    std::string content_type;
};

class StaticFiles {
public:
    StaticFiles() = default;
    // Reads every regular file under `dir` (not following symlinks), at most `max_bytes` in all. An empty or
    // missing dir gives an empty set. Throws std::runtime_error when the files exceed max_bytes.
    static StaticFiles load(const std::filesystem::path& dir, std::size_t max_bytes = 32u << 20);

    // "/" is "/index.html". nullptr when there is no such file.
    const StaticFile* find(const std::string& url_path) const;
    bool empty() const { return files_.empty(); }
    std::size_t size() const { return files_.size(); }
    const std::filesystem::path& dir() const { return dir_; }

private:
    std::filesystem::path dir_;
    std::map<std::string, StaticFile> files_;   // "/app.js", "/leaflet/leaflet.js", …
};

std::string content_type_for(const std::filesystem::path& file);

}  // namespace gridatlas::server
