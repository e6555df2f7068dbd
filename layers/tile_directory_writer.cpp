// Tile sets as z/x/y.png directories: atomic tile files, the progress mark for resuming, metadata.json.
#include "tile_directory_writer.hpp"

#include <fstream>
#include <iterator>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include <nlohmann/json.hpp>

namespace gridatlas::layers {

namespace {

namespace fs = std::filesystem;

constexpr const char* kProgressFile = ".gridatlas-progress";

// FNV-1a, 64 bit: a stable fingerprint of the job key for the progress file's header line.
std::string fingerprint(const std::string& s) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ull;
    }
    std::ostringstream out;
    out << std::hex << h;
    return out.str();
}

// Writes `bytes` to `target` through a temporary file in the same directory and a rename.
void write_atomically(const fs::path& target, const std::string& bytes) {
    const fs::path tmp = target.parent_path() / ("." + target.filename().string() + ".tmp");
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        out.close();
        if (!out) throw std::runtime_error("cannot write " + tmp.string() + " (disk full or not writable?)");
    }
    std::error_code ec;
    fs::rename(tmp, target, ec);
    if (ec) throw std::runtime_error("cannot move " + tmp.string() + " to " + target.string() + ": " + ec.message());
}

}  // namespace

struct TileDirectoryWriter::Impl {
    fs::path dir, progress;
    TileSetMetadata metadata;
    std::string header, suffix;
    std::set<WorkKey> done;
    bool resumed = false, finished = false;
    std::string note;
    std::ofstream log;
    std::mutex mutex;
};

TileDirectoryWriter::TileDirectoryWriter(const fs::path& dir, const TileSetMetadata& metadata, const std::string& job_key,
                                         const std::string& suffix)
    : impl_(std::make_unique<Impl>()) {
    Impl& d = *impl_;
    d.dir = dir;
    d.metadata = metadata;
    d.suffix = suffix;
    d.progress = dir / (std::string(kProgressFile) + suffix);
    d.header = "gridatlas-tiles-progress 1 " + fingerprint(job_key);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (!fs::is_directory(dir, ec)) throw std::runtime_error("cannot create the tile directory " + dir.string());

    // keep the complete lines of an earlier run of the same job (a line cut by a crash is dropped)
    std::string kept = d.header + "\n";
    if (fs::exists(d.progress, ec)) {
        std::ifstream in(d.progress, std::ios::binary);
        const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::size_t start = 0, nl = text.find('\n');
        const std::string first = nl == std::string::npos ? std::string() : text.substr(0, nl);
        if (first == d.header) {
            d.resumed = true;
            for (start = nl + 1; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
                std::istringstream line(text.substr(start, nl - start));
                WorkKey k;
                std::string rest;
                if (line >> k.z >> k.x >> k.y && !(line >> rest)) {
                    d.done.insert(k);
                    kept += std::to_string(k.z) + " " + std::to_string(k.x) + " " + std::to_string(k.y) + "\n";
                }
            }
        } else {
            d.note = "did not resume the tiles in " + dir.string() +
                     ": they were made with other options or data; rendering every tile again";
        }
    }
    write_atomically(d.progress, kept);
    d.log.open(d.progress, std::ios::binary | std::ios::app);
    if (!d.log) throw std::runtime_error("cannot write " + d.progress.string());
}

TileDirectoryWriter::~TileDirectoryWriter() = default;

const fs::path& TileDirectoryWriter::dir() const { return impl_->dir; }

fs::path TileDirectoryWriter::tile_path(int z, int x, int y) const {
    return impl_->dir / std::to_string(z) / std::to_string(x) / (std::to_string(y) + impl_->suffix + ".png");
}

bool TileDirectoryWriter::resumed() const { return impl_->resumed; }
const std::string& TileDirectoryWriter::open_note() const { return impl_->note; }

std::size_t TileDirectoryWriter::done_units() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->done.size();
}

bool TileDirectoryWriter::is_done(const WorkKey& unit) const {
    std::lock_guard lock(impl_->mutex);
    return impl_->done.count(unit) != 0;
}

void TileDirectoryWriter::write(const WorkKey& unit, const std::vector<TileBlob>& tiles) {
    Impl& d = *impl_;
    if (d.finished) throw std::runtime_error(d.dir.string() + ": write after finish()");
    for (const auto& t : tiles) {
        if (t.z < 0 || t.z > 30 || t.x < 0 || t.y < 0 || t.x >= (1 << t.z) || t.y >= (1 << t.z))
            throw std::invalid_argument(d.dir.string() + ": tile " + std::to_string(t.z) + "/" + std::to_string(t.x) + "/" +
                                        std::to_string(t.y) + " is outside the tile grid");
        const fs::path p = tile_path(t.z, t.x, t.y);
        std::error_code ec;
        fs::create_directories(p.parent_path(), ec);
        if (ec) throw std::runtime_error("cannot create " + p.parent_path().string() + ": " + ec.message());
        write_atomically(p, t.data);
    }
    std::lock_guard lock(d.mutex);
    d.log << unit.z << ' ' << unit.x << ' ' << unit.y << '\n' << std::flush;
    if (!d.log) throw std::runtime_error("cannot write " + d.progress.string());
    d.done.insert(unit);
}

void TileDirectoryWriter::finish() {
    Impl& d = *impl_;
    std::lock_guard lock(d.mutex);
    if (d.finished) throw std::runtime_error(d.dir.string() + ": finish() called twice");
    const TileSetMetadata& m = d.metadata;
    nlohmann::ordered_json j;
    j["tilejson"] = "3.0.0";
    j["name"] = m.name;
    j["description"] = m.description;
    j["attribution"] = m.attribution;
    j["version"] = m.version;
    j["scheme"] = "xyz";
    j["tiles"] = {"{z}/{x}/{y}" + d.suffix + "." + m.format};
    j["minzoom"] = m.min_zoom;
    j["maxzoom"] = m.max_zoom;
    j["bounds"] = {m.west, m.south, m.east, m.north};
    j["center"] = {m.center_lon, m.center_lat, m.center_zoom};
    j["format"] = m.format;
    j["type"] = m.type;
    j["tile_size"] = m.tile_px;
    write_atomically(d.dir / ("metadata" + d.suffix + ".json"), j.dump(2) + "\n");
    d.log.close();
    std::error_code ec;
    fs::remove(d.progress, ec);
    d.finished = true;
}

}  // namespace gridatlas::layers
