// Problems found in the user's data: where they are (file, layer, feature) and what to do about them.
// Warnings are collected and reported while the run goes on; DataError stops the run.
#pragma once
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace gridatlas {

// Where a problem sits. Every field is optional; the more that are known, the better the message.
struct SourceLocation {
    std::string file;
    std::string layer;
    std::string feature;        // the feature's id as the user knows it (id field value), else "fid=N"
    std::optional<double> x;    // a coordinate for geometry problems, in the layer's own CRS
    std::optional<double> y;
};

enum class Severity { warning, error };

struct Diagnostic {
    Severity severity = Severity::warning;
    std::string code;       // stable machine-readable kind, e.g. "invalid_geometry", "duplicate_id"
    SourceLocation where;
    std::string message;    // what is wrong; never contains personal data (names, phones, party membership)
    std::string hint;       // what the user can do about it
};

std::string format_diagnostic(const Diagnostic& d);

// Collects warnings during a run. Not thread-safe: give each thread its own and merge.
class Diagnostics {
public:
    void warn(std::string code, SourceLocation where, std::string message, std::string hint = {});
    const std::vector<Diagnostic>& items() const { return items_; }
    std::size_t count(const std::string& code) const;
    void merge(const Diagnostics& other);
private:
    std::vector<Diagnostic> items_;
};

// A problem that stops the run. The exit code of the CLI comes from it.
class DataError : public std::runtime_error {
public:
    explicit DataError(Diagnostic d);
    const Diagnostic& diagnostic() const { return diagnostic_; }
private:
    Diagnostic diagnostic_;
};

}  // namespace gridatlas
