// JSON text that survives invalid UTF-8 in the data (see json_text.hpp).
#include "json_text.hpp"

#include <nlohmann/json.hpp>

namespace gridatlas::server {

namespace {
thread_local bool t_invalid_text = false;
}

std::string json_text(const nlohmann::json& j) {
    try {
        return j.dump();
    } catch (const nlohmann::json::type_error&) {   // 316: invalid UTF-8 in a string
        t_invalid_text = true;
        return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
}

void note_invalid_text() { t_invalid_text = true; }

bool take_invalid_text_note() {
    const bool was = t_invalid_text;
    t_invalid_text = false;
    return was;
}

}  // namespace gridatlas::server
