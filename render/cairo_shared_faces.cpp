// Mapnik's Cairo renderer with one set of FreeType faces for the whole process (see cairo_shared_faces.hpp), and
// the start-up checks that the process-wide replacements of Cairo functions are in effect.
#include "cairo_shared_faces.hpp"

#include <dlfcn.h>

#include <map>
#include <mutex>
#include <new>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>

#include <cairo-ft.h>
#include <mapnik/cairo/cairo_renderer.hpp>
#include <mapnik/font_engine_freetype.hpp>
#include <mapnik/font_set.hpp>
#include <mapnik/text/face.hpp>

#include "cairo_glyph_text.hpp"

namespace {

// Cairo's font face for each shared FreeType face (and load flags), held for good.
//
// Cairo 1.16 hands out the same font face for an FT_Face only until that face has been used to draw: afterwards
// cairo_ft_font_face_create_for_ft_face returns a new one for the same FT_Face and load flags, and the
// PDF gets a new font subset for it. Mapnik calls it once per render (mapnik::cairo_face), so every map drew its
// labels in fonts of its own. This definition takes the place of Cairo's for the whole process (the dynamic linker
// binds Mapnik's call to the executable's definition first) and, for the FT_Faces registered below — the shared
// faces, which live as long as the process — returns the first font face again; any other FT_Face goes to Cairo.
struct FontFaceRegistry {
    std::mutex mutex;
    std::set<FT_Face> shared;
    std::map<std::pair<FT_Face, int>, cairo_font_face_t*> faces;
};

FontFaceRegistry& registry() {
    static FontFaceRegistry* const instance = new FontFaceRegistry();
    return *instance;
}

}  // namespace

extern "C" cairo_font_face_t* cairo_ft_font_face_create_for_ft_face(FT_Face face, int load_flags) {
    using Create = cairo_font_face_t* (*)(FT_Face, int);
    static const Create cairo_create = reinterpret_cast<Create>(dlsym(RTLD_NEXT, "cairo_ft_font_face_create_for_ft_face"));
    FontFaceRegistry& r = registry();
    const std::lock_guard<std::mutex> lock(r.mutex);
    if (!r.shared.count(face)) return cairo_create(face, load_flags);
    auto it = r.faces.find({face, load_flags});
    if (it == r.faces.end()) it = r.faces.emplace(std::make_pair(face, load_flags), cairo_create(face, load_flags)).first;
    return cairo_font_face_reference(it->second);
}

namespace gridatlas::render {

namespace {

// The faces every shared render uses. Never destroyed: Cairo keeps font faces (and through them these FreeType
// faces) in its caches until the process ends.
struct SharedFaces {
    std::mutex mutex;
    mapnik::font_library library;
    const mapnik::freetype_engine::font_file_mapping_type no_map_fonts;
    const mapnik::freetype_engine::font_memory_cache_type no_map_cache;
    mapnik::face_manager faces{library, no_map_fonts, no_map_cache};
    std::set<std::string> registered;

    // The faces of the map's font sets, created now and registered as shared (see FontFaceRegistry above).
    void register_fontsets(const mapnik::Map& map) {
        for (const auto& [set_name, set] : map.fontsets())
            for (const auto& face_name : set.get_face_names()) {
                if (!registered.insert(face_name).second) continue;
                if (const mapnik::face_ptr face = faces.get_face(face_name)) {
                    FontFaceRegistry& r = registry();
                    const std::lock_guard<std::mutex> lock(r.mutex);
                    r.shared.insert(face->get_face());
                }
            }
    }
};

SharedFaces& shared_faces() {
    static SharedFaces* const instance = new SharedFaces();
    return *instance;
}

// cairo_renderer keeps its face manager in renderer_common (a protected member); this one swaps in a copy of the
// shared manager, which shares its face cache, so every render asks FreeType for the same faces, and Cairo (through
// FontFaceRegistry) gives them the same font faces.
class SharedFaceRenderer final : public mapnik::cairo_renderer<mapnik::cairo_ptr> {
public:
    SharedFaceRenderer(const mapnik::Map& map, const mapnik::cairo_ptr& cr, double scale_factor,
                       const mapnik::face_manager& faces)
        : mapnik::cairo_renderer<mapnik::cairo_ptr>(map, cr, scale_factor) {
        common_.font_manager_.~face_manager();
        ::new (static_cast<void*>(&common_.font_manager_)) mapnik::face_manager(faces);
    }
};

}  // namespace

void check_cairo_shared_faces() {
    void* const bound = dlsym(RTLD_DEFAULT, "cairo_ft_font_face_create_for_ft_face");
    if (!dlsym(RTLD_NEXT, "cairo_ft_font_face_create_for_ft_face") ||
        bound != reinterpret_cast<void*>(&::cairo_ft_font_face_create_for_ft_face))
        throw std::runtime_error(
            "render/cairo_shared_faces.cpp: cairo_ft_font_face_create_for_ft_face is not replaced in this process (the "
            "executable's definition is not the one the dynamic linker binds); every map would embed its own copy of "
            "each font and PDFs would grow by about 50 KB per map. Link the executable with gridatlas_render.");
    check_cairo_glyph_text();
}

void render_cairo_shared_faces(const mapnik::Map& map, const mapnik::cairo_ptr& cr, double scale_factor) {
    static const bool checked = (check_cairo_shared_faces(), true);
    (void)checked;
    if (!map.get_font_file_mapping().empty()) {   // fonts of the map's own: its renderer must find them
        mapnik::cairo_renderer<mapnik::cairo_ptr> renderer(map, cr, scale_factor);
        renderer.apply();
        return;
    }
    SharedFaces& shared = shared_faces();
    const std::lock_guard<std::mutex> lock(shared.mutex);
    shared.register_fontsets(map);
    SharedFaceRenderer renderer(map, cr, scale_factor, shared.faces);
    renderer.apply();
}

}  // namespace gridatlas::render
