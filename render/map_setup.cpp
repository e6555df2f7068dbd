#include "map_setup.hpp"

#include <algorithm>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <system_error>

#include <mapnik/datasource_cache.hpp>
#include <mapnik/font_engine_freetype.hpp>
#include <mapnik/image.hpp>
#include <mapnik/image_reader.hpp>
#include <mapnik/image_util.hpp>

#ifndef GRIDATLAS_MAPNIK_PLUGINS
#define GRIDATLAS_MAPNIK_PLUGINS "/usr/lib/mapnik/3.1/input"
#endif

namespace gridatlas::render {

std::vector<std::filesystem::path> font_directories() {
    return {"/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/dejavu"};
}

void ensure_mapnik_setup() {
    static std::once_flag once;
    std::call_once(once, [] {
        std::error_code ec;
        for (const auto& dir : font_directories())
            if (std::filesystem::is_directory(dir, ec))
                mapnik::freetype_engine::register_fonts(dir.string(), /*recurse=*/true);
        // The overview uses in-memory data only; plugins are registered for styles that read files (ogr, gdal …).
        const std::filesystem::path plugins = GRIDATLAS_MAPNIK_PLUGINS;
        if (std::filesystem::is_directory(plugins, ec))
            mapnik::datasource_cache::instance().register_datasources(plugins.string());
    });
}

std::vector<std::string> registered_font_faces() {
    ensure_mapnik_setup();
    return mapnik::freetype_engine::face_names();
}

RgbaImage read_png_rgba(const std::filesystem::path& png) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(png, ec)) throw std::runtime_error("PNG not found: " + png.string());
    std::unique_ptr<mapnik::image_reader> reader;
    try {
        reader.reset(mapnik::get_image_reader(png.string(), "png"));
    } catch (const std::exception& e) {
        throw std::runtime_error("cannot read PNG " + png.string() + ": " + e.what());
    }
    if (!reader) throw std::runtime_error("cannot read PNG " + png.string());
    RgbaImage out;
    out.width = static_cast<int>(reader->width());
    out.height = static_cast<int>(reader->height());
    mapnik::image_rgba8 image(reader->width(), reader->height());
    reader->read(0, 0, image);
    if (image.get_premultiplied()) mapnik::demultiply_alpha(image);
    out.rgba.resize(static_cast<std::size_t>(out.width) * out.height * 4);
    const std::uint8_t* bytes = image.bytes();   // R, G, B, A in memory order
    std::copy(bytes, bytes + out.rgba.size(), out.rgba.begin());
    return out;
}

}  // namespace gridatlas::render
