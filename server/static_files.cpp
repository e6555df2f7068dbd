// The web page's files read into memory once (static_files.hpp), served by exact path only: no file system access
// per request.
#include "static_files.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace gridatlas::server {

std::string content_type_for(const std::filesystem::path& file) {
    const std::string ext = file.extension().string();
    if (ext == ".html") return "text/html; charset=utf-8";
    if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
    if (ext == ".css") return "text/css; charset=utf-8";
    if (ext == ".json" || ext == ".map") return "application/json; charset=utf-8";
    if (ext == ".png") return "image/png";
    if (ext == ".svg") return "image/svg+xml";
    if (ext == ".ico") return "image/x-icon";
    if (ext == ".txt" || ext == ".md") return "text/plain; charset=utf-8";
    return "application/octet-stream";
}

StaticFiles StaticFiles::load(const std::filesystem::path& dir, std::size_t max_bytes) {
    StaticFiles out;
    out.dir_ = dir;
    std::error_code ec;
    if (dir.empty() || !std::filesystem::is_directory(dir, ec)) return out;
    std::size_t total = 0;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, std::filesystem::directory_options::none, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_symlink(ec) || !it->is_regular_file(ec)) continue;
        const auto rel = std::filesystem::relative(it->path(), dir, ec);
        if (ec) continue;
        const std::string name = rel.generic_string();
        if (name.empty() || name.front() == '.' || name.find("/.") != std::string::npos) continue;   // .stamp and the like
        std::ifstream in(it->path(), std::ios::binary);
        std::ostringstream buf;
        buf << in.rdbuf();
        StaticFile f{buf.str(), content_type_for(it->path())};
        total += f.content.size();
        if (total > max_bytes) throw std::runtime_error(dir.string() + ": the web files exceed " + std::to_string(max_bytes >> 20) + " MiB");
        out.files_.emplace("/" + name, std::move(f));
    }
    return out;
}

const StaticFile* StaticFiles::find(const std::string& url_path) const {
    const std::string key = url_path == "/" ? "/index.html" : url_path;
    auto it = files_.find(key);
    return it == files_.end() ? nullptr : &it->second;
}

}  // namespace gridatlas::server
