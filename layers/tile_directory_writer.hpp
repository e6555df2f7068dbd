// Writing tile sets as a directory: <dir>/<z>/<x>/<y><suffix>.png (XYZ rows, suffix "" or "@2x"), each file written to
// a temporary name and renamed into place, so a reader never sees half a tile. The same contract as MbtilesWriter
// (see mbtiles_writer.hpp): units of work marked done in "<dir>/.gridatlas-progress" after their tiles are in place,
// resumed by a run with the same job key; finish() writes <dir>/metadata.json (TileJSON 3.0 plus the MBTiles
// metadata keys) and removes the progress file.
#pragma once
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "mbtiles_writer.hpp"

namespace gridatlas::layers {

class TileDirectoryWriter {
public:
    // Throws std::runtime_error naming the directory when it cannot be created or read.
    TileDirectoryWriter(const std::filesystem::path& dir, const TileSetMetadata& metadata, const std::string& job_key,
                        const std::string& suffix = "");
    ~TileDirectoryWriter();
    TileDirectoryWriter(const TileDirectoryWriter&) = delete;
    TileDirectoryWriter& operator=(const TileDirectoryWriter&) = delete;

    const std::filesystem::path& dir() const;
    std::filesystem::path tile_path(int z, int x, int y) const;
    bool resumed() const;
    const std::string& open_note() const;
    std::size_t done_units() const;
    bool is_done(const WorkKey& unit) const;

    void write(const WorkKey& unit, const std::vector<TileBlob>& tiles);
    void finish();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gridatlas::layers
