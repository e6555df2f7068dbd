// Text that copies out of a PDF as the characters it shows: Mapnik draws labels with cairo_show_glyphs (glyph
// indices, no text), so Cairo's PDF backend guesses each glyph's character from the font's cmap, taking the lowest
// code point that maps to the glyph. Noto Sans CJK maps the Kangxi radicals (U+2F00..) and CJK compatibility
// ideographs to the same glyphs as the unified ideographs, so 网 (U+7F51) came out of pdftotext as ⽹ (U+2F79) and
// 户 as ⼾. This definition of cairo_show_glyphs takes the place of Cairo's for the whole process (like
// cairo_ft_font_face_create_for_ft_face in cairo_shared_faces.cpp) and, on surfaces that keep text (PDF), passes each
// glyph's preferred character with cairo_show_text_glyphs, which Cairo writes as the glyph's ToUnicode entry or as
// ActualText. For render code only.
#include "cairo_glyph_text.hpp"

#include <dlfcn.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include <cairo-ft.h>
#include <cairo.h>

#include "model/text.hpp"

namespace {

using ShowGlyphs = void (*)(cairo_t*, const cairo_glyph_t*, int);

// 0 for ordinary characters; higher for code points that share a glyph with a better one and must not win.
int rank(std::uint32_t cp) {
    if ((cp >= 0x2E80 && cp <= 0x2FDF) ||                         // CJK radicals supplement, Kangxi radicals
        (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F) ||   // CJK compatibility ideographs
        (cp >= 0xFE10 && cp <= 0xFE1F) || (cp >= 0xFE30 && cp <= 0xFE4F))       // vertical and compatibility forms
        return 1;
    if ((cp >= 0xE000 && cp <= 0xF8FF) || cp >= 0xF0000) return 2;   // private use
    return 0;
}

// For one FreeType face: the character each glyph stands for (the lowest code point of the best rank).
std::unordered_map<FT_UInt, std::uint32_t> glyph_characters(FT_Face face) {
    std::unordered_map<FT_UInt, std::uint32_t> best;
    FT_UInt glyph = 0;
    for (FT_ULong cp = FT_Get_First_Char(face, &glyph); glyph != 0; cp = FT_Get_Next_Char(face, cp, &glyph)) {
        const auto [it, inserted] = best.emplace(glyph, static_cast<std::uint32_t>(cp));
        if (!inserted && rank(static_cast<std::uint32_t>(cp)) < rank(it->second)) it->second = static_cast<std::uint32_t>(cp);
    }
    return best;
}

// The glyph tables of every FreeType face drawn so far, keyed by the face (faces that die may be reused by address:
// the table is checked against the face's glyph count, a cheap guard, and the shared faces live for good).
struct GlyphTables {
    std::mutex mutex;
    std::map<FT_Face, std::pair<FT_Long, std::unordered_map<FT_UInt, std::uint32_t>>> tables;
};

GlyphTables& tables() {
    static GlyphTables* const instance = new GlyphTables();
    return *instance;
}

// The text (UTF-8) and clusters (one per glyph) for `glyphs` in the current font of `cr`; false when the font is not
// a FreeType font.
bool text_for(cairo_t* cr, const cairo_glyph_t* glyphs, int n, std::string& utf8, std::vector<cairo_text_cluster_t>& clusters) {
    cairo_scaled_font_t* font = cairo_get_scaled_font(cr);
    if (!font || cairo_scaled_font_get_type(font) != CAIRO_FONT_TYPE_FT) return false;
    FT_Face face = cairo_ft_scaled_font_lock_face(font);
    if (!face) return false;
    {
        GlyphTables& t = tables();
        const std::lock_guard<std::mutex> lock(t.mutex);
        auto it = t.tables.find(face);
        if (it == t.tables.end() || it->second.first != face->num_glyphs)
            it = t.tables.insert_or_assign(face, std::make_pair(face->num_glyphs, glyph_characters(face))).first;
        const auto& table = it->second.second;
        for (int i = 0; i < n; ++i) {
            const std::size_t before = utf8.size();
            const auto found = table.find(static_cast<FT_UInt>(glyphs[i].index));
            if (found != table.end()) gridatlas::text::append_utf8(utf8, found->second);
            clusters.push_back({static_cast<int>(utf8.size() - before), 1});
        }
    }
    cairo_ft_scaled_font_unlock_face(font);
    return true;
}

ShowGlyphs cairo_show_glyphs_of_cairo() {
    static const ShowGlyphs f = reinterpret_cast<ShowGlyphs>(dlsym(RTLD_NEXT, "cairo_show_glyphs"));
    return f;
}

}  // namespace

extern "C" void cairo_show_glyphs(cairo_t* cr, const cairo_glyph_t* glyphs, int num_glyphs) {
    const ShowGlyphs cairo_show = cairo_show_glyphs_of_cairo();
    if (num_glyphs > 0 && cairo_status(cr) == CAIRO_STATUS_SUCCESS &&
        cairo_surface_has_show_text_glyphs(cairo_get_group_target(cr))) {
        std::string utf8;
        std::vector<cairo_text_cluster_t> clusters;
        if (text_for(cr, glyphs, num_glyphs, utf8, clusters)) {
            cairo_show_text_glyphs(cr, utf8.data(), static_cast<int>(utf8.size()), glyphs, num_glyphs, clusters.data(),
                                   static_cast<int>(clusters.size()), cairo_text_cluster_flags_t{});
            return;
        }
    }
    cairo_show(cr, glyphs, num_glyphs);
}

namespace gridatlas::render {

void check_cairo_glyph_text() {
    void* const bound = dlsym(RTLD_DEFAULT, "cairo_show_glyphs");
    if (!cairo_show_glyphs_of_cairo() || bound != reinterpret_cast<void*>(&::cairo_show_glyphs))
        throw std::runtime_error(
            "render/cairo_glyph_text.cpp: cairo_show_glyphs is not replaced in this process (the executable's definition "
            "is not the one the dynamic linker binds); PDF labels would copy out as Kangxi radicals. Link the "
            "executable with gridatlas_render and export its symbols (-rdynamic).");
}

}  // namespace gridatlas::render
