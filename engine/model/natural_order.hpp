// Natural order for ids and room numbers: runs of digits compare as numbers ("2" < "10", "B2" < "B10", "007" = "7"
// then by length), everything else byte by byte.
#pragma once
#include <string>

namespace gridatlas {

bool natural_less(const std::string& a, const std::string& b);

}  // namespace gridatlas
