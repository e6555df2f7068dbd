// Mapnik's Cairo renderer with one set of FreeType faces for the whole process, so that a PDF or SVG embeds each
// font once. For render code only (includes Mapnik).
//
// Why: mapnik::cairo_renderer opens new FreeType faces for every render (its face manager lives in the renderer),
// Cairo keys its font subsets by face, and a PDF then carries one subset of Noto Sans CJK per face per render —
// about 50 KB each however few glyphs it holds (the CID font's subroutine index). An atlas of 144 maps made a
// 78 MB PDF of which 54 MB were such subsets. Sharing the faces makes it one Regular and one Bold subset per document.
#pragma once

#include <mapnik/cairo/cairo_context.hpp>
#include <mapnik/map.hpp>

namespace gridatlas::render {

// Renders `map` into `cr` (its current user space) with mapnik::cairo_renderer. When the map declares no fonts of its
// own (no font-directory in its XML) its text uses the process's shared faces; renders are then serialised, because
// a FreeType face must not be used by two threads at once. Exceptions from Mapnik pass through.
// Throws std::runtime_error when this file's (or cairo_glyph_text.cpp's) replacement of a Cairo function is not the
// one the dynamic linker binds — a Cairo, Mapnik or linker change defeated it. render_cairo_shared_faces calls it once.
void check_cairo_shared_faces();

void render_cairo_shared_faces(const mapnik::Map& map, const mapnik::cairo_ptr& cr, double scale_factor);

}  // namespace gridatlas::render
