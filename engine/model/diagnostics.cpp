// Formats data problems for people: severity, file, layer, feature, coordinate (metres or degrees to ~1 cm) and
// what to do.
#include "model/diagnostics.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

namespace gridatlas {

std::string format_diagnostic(const Diagnostic& d) {
    std::ostringstream out;
    out << (d.severity == Severity::error ? "error" : "warning");
    const auto& w = d.where;
    if (!w.file.empty()) out << ": " << w.file;
    if (!w.layer.empty()) out << ", layer '" << w.layer << "'";
    if (!w.feature.empty()) out << ", feature " << w.feature;
    if (w.x && w.y) {
        // Metres to the centimetre, degrees to about a centimetre too.
        const bool degrees = std::abs(*w.x) <= 360 && std::abs(*w.y) <= 90;
        out << std::fixed << std::setprecision(degrees ? 7 : 2) << " at (" << *w.x << ", " << *w.y << ")";
        out.unsetf(std::ios::floatfield);
    }
    out << ": " << d.message;
    if (!d.hint.empty()) out << " — " << d.hint;
    if (!d.code.empty()) out << " [" << d.code << "]";
    return out.str();
}

void Diagnostics::warn(std::string code, SourceLocation where, std::string message, std::string hint) {
    items_.push_back(Diagnostic{Severity::warning, std::move(code), std::move(where), std::move(message), std::move(hint)});
}

std::size_t Diagnostics::count(const std::string& code) const {
    return static_cast<std::size_t>(std::count_if(items_.begin(), items_.end(), [&](const Diagnostic& d) { return d.code == code; }));
}

void Diagnostics::merge(const Diagnostics& other) {
    items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

DataError::DataError(Diagnostic d)
    : std::runtime_error(format_diagnostic([&] { d.severity = Severity::error; return d; }())), diagnostic_(std::move(d)) {
    diagnostic_.severity = Severity::error;
}

}  // namespace gridatlas
