// Choosing and describing coordinate reference systems: the run works in one metric CRS, given by the project
// file or chosen as the UTM zone of the data's centre.
#pragma once
#include <string>

namespace gridatlas::layers {

// "EPSG:326zz" / "EPSG:327zz" for the UTM zone holding (lon, lat).
std::string utm_crs_for(double lon, double lat);

// True when `crs` (anything OSR's SetFromUserInput takes) is understood by PROJ.
bool crs_is_known(const std::string& crs);

// True when `crs` is projected with metre units (the working CRS must be).
bool crs_is_metric(const std::string& crs);

}  // namespace gridatlas::layers
