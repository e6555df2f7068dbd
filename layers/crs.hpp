// Choosing and describing coordinate reference systems: the run works in one metric CRS, given by the project
// file or chosen as the UTM zone of the data's centre.
#pragma once
#include <optional>
#include <string>

class OGRSpatialReference;

namespace gridatlas::layers {

// "EPSG:326zz" / "EPSG:327zz" for the UTM zone holding (lon, lat).
std::string utm_crs_for(double lon, double lat);

// True when `crs` (anything OSR's SetFromUserInput takes) is understood by PROJ.
bool crs_is_known(const std::string& crs);

// True when `crs` is projected with metre units (the working CRS must be).
bool crs_is_metric(const std::string& crs);

// Coordinates that cannot be in `srs`: degrees under a metric CRS, or an extent (minx, miny, maxx, maxy in the
// CRS's own units, x = easting/longitude) outside the CRS's area of use by more than a margin. Returns what is wrong,
// naming the CRS the values look like ("the coordinates look like lon/lat degrees (EPSG:4326)"), or nothing.
std::optional<std::string> implausible_coordinates(const OGRSpatialReference& srs, double minx, double miny, double maxx,
                                                   double maxy);

// Two lon/lat boxes that do not overlap (with a margin of `margin_deg`): layers that cannot describe the same place.
bool lonlat_boxes_apart(double aminx, double aminy, double amaxx, double amaxy, double bminx, double bminy, double bmaxx,
                        double bmaxy, double margin_deg = 0.05);

// The CRS under which an extent of unknown meaning (minx, miny, maxx, maxy, x = easting/longitude) lies over the
// lon/lat box `near` (within `margin_deg`): tried are lon/lat (EPSG:4326), the UTM zone of the box's centre, Web
// Mercator and, in China, the CGCS2000 Gauss-Krüger zones of the centre (3° and 6°, with and without the zone number
// before the easting). Returns "EPSG:4547 (CGCS2000 / 3-degree Gauss-Kruger CM 114E)" or nothing.
std::optional<std::string> crs_fitting(double minx, double miny, double maxx, double maxy, double near_minx, double near_miny,
                                       double near_maxx, double near_maxy, double margin_deg = 0.05);

// "EPSG:4547 (CGCS2000 / 3-degree Gauss-Kruger CM 114E)" for a CRS PROJ knows.
std::string crs_name(const OGRSpatialReference& srs);

}  // namespace gridatlas::layers
