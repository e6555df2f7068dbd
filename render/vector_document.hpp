// A PDF or SVG file drawn with Cairo (print maps, the atlas): owns the surface and its context, and finish() completes
// the file, throwing std::runtime_error naming it when Cairo reports an error. Without finish() (an exception while
// drawing) the handles are released and the file is left incomplete for the caller to report.
#pragma once
#include <filesystem>
#include <string>

#include <cairo.h>

namespace gridatlas::render {

class VectorDocument {
public:
    enum class Kind { pdf, svg };
    // Pages of width × height points; a PDF gets `title` and "GridAtlas" as its metadata.
    VectorDocument(Kind kind, const std::filesystem::path& out, double width_pt, double height_pt, const std::string& title);
    ~VectorDocument();
    VectorDocument(const VectorDocument&) = delete;
    VectorDocument& operator=(const VectorDocument&) = delete;

    cairo_t* cr() const { return cr_; }
    cairo_surface_t* surface() const { return surface_; }
    void finish();

private:
    std::filesystem::path out_;
    cairo_surface_t* surface_ = nullptr;
    cairo_t* cr_ = nullptr;
};

}  // namespace gridatlas::render
