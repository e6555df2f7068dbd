// Writing tile sets: an MBTiles 1.3 file (SQLite, through the sqlite3 C API) — see also tile_directory_writer.hpp.
//
// Both writers share the same contract, built for long runs that may be interrupted:
//   - the work is cut into units (a metatile: WorkKey); write() stores one unit's tiles *and* marks the unit done
//     atomically, so after a crash a unit is either fully there or not at all;
//   - a new writer over the same output and the same job key resumes: is_done() tells which units to skip;
//   - finish() makes the result final; until then the output is not in its final place (MBTiles: "<file>.partial",
//     renamed over <file> at the end) or not complete (directory: a progress file is present).
// write() may be called from several threads at once.
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace gridatlas::layers {

// What a tile set says about itself: MBTiles' metadata table, or the directory writer's metadata.json.
struct TileSetMetadata {
    std::string name;
    std::string description;
    std::string attribution = "© OpenStreetMap contributors";
    std::string type = "overlay";     // overlay | baselayer
    std::string version = "1.0.0";    // the tile set's version
    std::string format = "png";
    double west = 0, south = 0, east = 0, north = 0;   // bounds, WGS 84 degrees
    double center_lon = 0, center_lat = 0;
    int center_zoom = 0;
    int min_zoom = 0, max_zoom = 0;
    int tile_px = 256;                 // 512 for @2x tiles
};

// One tile in XYZ addressing (y from the north); MBTiles' TMS row flip is done by the writer.
struct TileBlob {
    int z = 0, x = 0, y = 0;
    std::string data;   // the encoded image (PNG)
};

// A unit of work that is written (or skipped) as a whole: a metatile, named by its zoom and first tile.
struct WorkKey {
    int z = 0, x = 0, y = 0;
    auto operator<=>(const WorkKey&) const = default;
};

class MbtilesWriter {
public:
    // Opens "<path>.partial": resumes it when it was started by a job with the same job_key, otherwise (or when it
    // is unreadable) starts it afresh. Creates the parent directory. Throws std::runtime_error naming the file.
    MbtilesWriter(const std::filesystem::path& path, const TileSetMetadata& metadata, const std::string& job_key);
    // Without finish(): closes the database and leaves "<path>.partial" (every committed unit in it) for a resume.
    ~MbtilesWriter();
    MbtilesWriter(const MbtilesWriter&) = delete;
    MbtilesWriter& operator=(const MbtilesWriter&) = delete;

    const std::filesystem::path& path() const;
    const std::filesystem::path& partial_path() const;
    bool resumed() const;                     // an earlier run's .partial was picked up
    const std::string& open_note() const;     // why an existing .partial was not resumed; empty otherwise
    std::size_t done_units() const;
    bool is_done(const WorkKey& unit) const;
    std::uint64_t tiles_in_file() const;

    // Stores the tiles (replacing any with the same address) and marks `unit` done, in one transaction.
    void write(const WorkKey& unit, const std::vector<TileBlob>& tiles);
    // Writes the metadata, drops the progress bookkeeping, leaves rollback-journal mode, closes, and renames
    // "<path>.partial" over <path> (atomic on one file system). The writer is closed afterwards.
    void finish();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gridatlas::layers
