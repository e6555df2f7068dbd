// JSON text for the API that never fails on the data's bytes: a name read from a roster in GBK (or any other invalid
// UTF-8) is sent with each invalid byte replaced by U+FFFD instead of making nlohmann::json throw (which answered 500).
// The replacement is noted on the calling thread, so the HTTP server can log one warning for the request — naming the
// route, never the value.
#pragma once
#include <nlohmann/json_fwd.hpp>
#include <string>

namespace gridatlas::server {

// j.dump(), with invalid UTF-8 replaced by U+FFFD; notes the replacement on this thread.
std::string json_text(const nlohmann::json& j);
// Whether json_text replaced invalid bytes on this thread since the last call; clears the note.
bool take_invalid_text_note();
// Notes a replacement on this thread, as json_text does: for a kept answer whose text was made on another thread.
void note_invalid_text();

}  // namespace gridatlas::server
