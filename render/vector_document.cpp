// A PDF or SVG file drawn with Cairo (vector_document.hpp): owns the surface and context; finish() completes the
// file or throws naming it.
#include "vector_document.hpp"

#include <stdexcept>

#include <cairo-pdf.h>
#include <cairo-svg.h>

namespace gridatlas::render {

namespace {

void check(cairo_status_t status, const std::filesystem::path& out) {
    if (status != CAIRO_STATUS_SUCCESS)
        throw std::runtime_error("cannot write " + out.string() + ": " + cairo_status_to_string(status));
}

}  // namespace

VectorDocument::VectorDocument(Kind kind, const std::filesystem::path& out, double width_pt, double height_pt,
                               const std::string& title)
    : out_(out) {
    surface_ = kind == Kind::pdf ? cairo_pdf_surface_create(out.c_str(), width_pt, height_pt)
                                 : cairo_svg_surface_create(out.c_str(), width_pt, height_pt);
    const cairo_status_t status = cairo_surface_status(surface_);
    if (status != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(surface_);
        check(status, out);
    }
    if (kind == Kind::pdf) {
        cairo_pdf_surface_set_metadata(surface_, CAIRO_PDF_METADATA_TITLE, title.c_str());
        cairo_pdf_surface_set_metadata(surface_, CAIRO_PDF_METADATA_CREATOR, "GridAtlas");
    }
    cr_ = cairo_create(surface_);
}

VectorDocument::~VectorDocument() {
    if (cr_) cairo_destroy(cr_);
    if (surface_) cairo_surface_destroy(surface_);
}

void VectorDocument::finish() {
    const cairo_status_t status = cairo_status(cr_);
    cairo_destroy(cr_);
    cr_ = nullptr;
    cairo_surface_finish(surface_);
    const cairo_status_t finished = cairo_surface_status(surface_);
    cairo_surface_destroy(surface_);
    surface_ = nullptr;
    check(status, out_);
    check(finished, out_);
}

}  // namespace gridatlas::render
