// GDAL's one-time set-up for the process and the capture of its last error message (see gdal_session.hpp).
#include "gdal_session.hpp"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>

#include <mutex>

namespace gridatlas::layers {

void ensure_gdal() {
    static std::once_flag once;
    std::call_once(once, [] {
        CPLSetConfigOption("OSR_DEFAULT_AXIS_MAPPING_STRATEGY", "TRADITIONAL_GIS_ORDER");
        // Household rosters carry ids like 000123: keep CSV columns as text, we parse numbers ourselves.
        CPLSetConfigOption("OGR_CSV_KEEP_SOURCE_COLUMNS", "NO");
        CPLSetErrorHandler(CPLQuietErrorHandler);
        GDALAllRegister();
    });
}

std::string last_gdal_error() {
    const char* m = CPLGetLastErrorMsg();
    return m ? m : "";
}

}  // namespace gridatlas::layers
