// GDAL set up once per process: drivers registered, traditional lon/lat axis order for every CRS (so EPSG:4326 and
// CGCS2000 Gauss-Krüger read x=east), and GDAL's messages captured instead of printed so we can name the feature.
#pragma once
#include <string>

namespace gridatlas::layers {

void ensure_gdal();
// The last error GDAL reported on this thread (CPLGetLastErrorMsg), or "" if none.
std::string last_gdal_error();

}  // namespace gridatlas::layers
