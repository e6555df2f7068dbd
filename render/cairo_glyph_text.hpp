// PDF text that copies out as written (see cairo_glyph_text.cpp): the process-wide replacement of cairo_show_glyphs
// that passes each glyph's character to Cairo. For render code only.
#pragma once

namespace gridatlas::render {

// Throws std::runtime_error when the replacement is not the cairo_show_glyphs the dynamic linker binds (a Cairo or
// linker change defeated it): labels would then copy out of PDFs as Kangxi radicals. Called before every Cairo render.
void check_cairo_glyph_text();

}  // namespace gridatlas::render
