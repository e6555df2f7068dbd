#!/usr/bin/env python3
"""Builds the bad-input corpus: the project's sample (data/sample) and tiny fixture (tests/fixtures/tiny), each broken
one way a county grid office's real files are broken, one folder per case with its own project.toml.

    scripts/make_bad_inputs.py OUT_DIR [--source-dir REPO]

The cases are derived from the originals every time (nothing hand-edited is committed; the sample cases are 2-13 MB
each, so they are made into the build directory by tests/pipeline/test_bad_inputs.cpp). What each case must do when
`gridatlas run`/`assign` reads it (exit code, message, counts) is asserted by that test; each change is described
below where it is made. The sample's geometry (sample.gpkg) is referred to by absolute path, never copied.
Needs: Python 3 and ogr2ogr (gdal-bin).
"""
import argparse
import math
import os
import re
import shutil
import subprocess
import sys

# ---------------------------------------------------------------------------------------------------------- helpers


def write(path, data):
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))


def read(path):
    with open(path, "rb") as f:
        return f.read()


def sample_case(out, name, src, roster: bytes, project_edit=None):
    """A case made from the sample: the sample's project file (geometry by absolute path) and a changed roster."""
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    toml = read(os.path.join(src, "data/sample/project.toml")).decode("utf-8")
    gpkg = os.path.join(src, "data/sample/sample.gpkg")
    toml = toml.replace('file = "sample.gpkg"', 'file = "%s"' % gpkg)
    if project_edit:
        toml = project_edit(toml)
    write(os.path.join(d, "project.toml"), toml)
    write(os.path.join(d, "households.csv"), roster)


def tiny_case(out, name, src, project_edit=None):
    """A case made from the tiny fixture: a copy of it, its project file changed by `project_edit`."""
    d = os.path.join(out, name)
    if os.path.exists(d):
        shutil.rmtree(d)
    shutil.copytree(os.path.join(src, "tests/fixtures/tiny"), d)
    if project_edit:
        p = os.path.join(d, "project.toml")
        write(p, project_edit(read(p).decode("utf-8")))
    return d


def replace_once(text, old, new):
    assert text.count(old) == 1, "expected exactly one %r" % old
    return text.replace(old, new)


def in_table(toml, header, lines):
    """Adds `lines` at the end of the first table `header` (e.g. '[walking]')."""
    start = toml.index(header + "\n")
    nxt = toml.find("\n[", start + len(header))
    nxt = len(toml) if nxt < 0 else nxt + 1
    return toml[:nxt] + lines + "\n" + toml[nxt:]


def roster_rows(src):
    """The sample roster as (header, rows) of UTF-8 lines without line breaks."""
    lines = read(os.path.join(src, "data/sample/households.csv")).decode("utf-8").split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines[0], lines[1:]


def join(header, rows, eol="\n"):
    return (eol.join([header] + rows) + eol).encode("utf-8")


def set_name(row, fn):
    """The row with its head_name (6th column; sample names hold no comma or quote) replaced by fn(name)."""
    cols = row.split(",")
    cols[5] = fn(cols[5])
    return ",".join(cols)


# GCJ-02 (the published obfuscation, as in eviltransform / coordtransform): WGS 84 → GCJ-02.
def wgs84_to_gcj02(lon, lat):
    a, ee = 6378245.0, 0.00669342162296594323
    x, y = lon - 105.0, lat - 35.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    dlat += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    dlat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    dlat += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    dlon += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    dlon += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    dlon += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    rad = lat / 180.0 * math.pi
    magic = 1 - ee * math.sin(rad) ** 2
    sq = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((a * (1 - ee)) / (magic * sq) * math.pi)
    dlon = (dlon * 180.0) / (a / sq * math.cos(rad) * math.pi)
    return lon + dlon, lat + dlat


def ogr2ogr(*args):
    subprocess.run(["ogr2ogr", *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


# ---------------------------------------------------------------------------------------------------- the cases


def gcj02_facility_csv(d):
    """facilities_gcj02.csv in `d`: the fixture's facilities.geojson as lon/lat shifted to GCJ-02."""
    import json
    ogr2ogr("-t_srs", "EPSG:4326", "-lco", "COORDINATE_PRECISION=9", os.path.join(d, "facilities_wgs84.geojson"),
            os.path.join(d, "facilities.geojson"))
    fc = json.loads(read(os.path.join(d, "facilities_wgs84.geojson")))
    lines = ["facility_id,kind,name,lon,lat"]
    for f in fc["features"]:
        lon, lat = wgs84_to_gcj02(*f["geometry"]["coordinates"][:2])
        p = f["properties"]
        lines.append("%s,%s,%s,%.9f,%.9f" % (p["facility_id"], p["kind"], p["name"], lon, lat))
    write(os.path.join(d, "facilities_gcj02.csv"), "\n".join(lines) + "\n")
    os.remove(os.path.join(d, "facilities_wgs84.geojson"))



def sample_roster_cases(out, src):
    header, rows = roster_rows(src)
    # A stray " inside the head-of-household name of data row 100 (file line 101): kept as a character, row read.
    r = list(rows)
    r[99] = set_name(r[99], lambda n: n[:1] + '"' + n[1:])
    sample_case(out, "stray_quote", src, join(header, r))
    # An opening quote never closed on data row 10 (line 11): that record is rejected, every later one read.
    r = list(rows)
    r[9] = set_name(r[9], lambda n: '"' + n)
    sample_case(out, "unterminated_quote", src, join(header, r))
    # An 11 MB name on data row 4 (line 5): rejected as too long, every later record read.
    r = list(rows)
    r[3] = set_name(r[3], lambda n: "王" * (11 * 1024 * 1024 // 3))
    sample_case(out, "huge_field", src, join(header, r))
    # Windows line ends throughout; a UTF-8 byte-order mark before the header.
    sample_case(out, "crlf", src, join(header, rows, "\r\n"))
    sample_case(out, "bom", src, b"\xef\xbb\xbf" + join(header, rows))
    # A quoted name with a line break inside on data row 50: one record over lines 51-52; later lines shift by one.
    r = list(rows)
    r[49] = set_name(r[49], lambda n: '"' + n[:1] + "\n" + n[1:] + '"')
    sample_case(out, "quoted_newline", src, join(header, r))
    # A NUL byte inside the name of data row 20 (line 21): rejected.
    r = list(rows)
    r[19] = set_name(r[19], lambda n: n[:1] + "\0" + n[1:])
    sample_case(out, "nul_byte", src, join(header, r))
    # Data rows 1-100 saved as GBK by one program, the rest UTF-8: every name converted to UTF-8, rows 1-100 noted.
    body = [(row + "\n").encode("gbk" if i < 100 else "utf-8") for i, row in enumerate(rows)]
    sample_case(out, "mixed_gbk_utf8", src, (header + "\n").encode() + b"".join(body))
    # The whole roster in GBK, declared with encoding = "GBK".
    sample_case(out, "gbk_declared", src, join(header, rows).decode("utf-8").encode("gbk"),
                lambda t: in_table(t, "[households]", 'encoding = "GBK"'))
    # Integers that used to be cast: persons = 1e10 on data row 30, party_members = 3.5 on row 31 (kept, unknown).
    r = list(rows)
    c = r[29].split(",")
    c[7] = "1e10"
    r[29] = ",".join(c)
    c = r[30].split(",")
    c[8] = "3.5"
    r[30] = ",".join(c)
    sample_case(out, "bad_integers", src, join(header, r))


def crs_cases(out, src):
    # The tiny fixture's grids are lon/lat (GeoJSON). Declared as CGCS2000 GK CM 114E and as UTM 32N: degrees under a
    # metric CRS stop the run.
    for name, crs in (("lonlat_as_4547", "EPSG:4547"), ("lonlat_as_32632", "EPSG:32632")):
        tiny_case(out, name, src, lambda t, crs=crs: replace_once(t, 'file = "grids.geojson"\n',
                                                                  'file = "grids.geojson"\ncrs = "%s"\n' % crs))
    # The grids written in CGCS2000 GK CM 117E (EPSG:4548: metres, plausible) but declared as CM 114E (EPSG:4547):
    # inside that CRS's area of use, 256 km west of the other layers. The layers do not overlap: the run stops.
    d = tiny_case(out, "metric_wrong_zone", src, lambda t: replace_once(
        t, 'file = "grids.geojson"\n', 'file = "grids_gk.geojson"\ncrs = "EPSG:4547"\n'))
    ogr2ogr("-t_srs", "EPSG:4548", os.path.join(d, "grids_gk.geojson"), os.path.join(d, "grids.geojson"))
    # Facilities as an Amap (GCJ-02) point export: a CSV with lon/lat columns, crs = "GCJ-02".
    d = tiny_case(out, "gcj02_facilities", src, lambda t: re.sub(
        r'\[facilities\]\nfile = "facilities.geojson"\n',
        '[facilities]\nfile = "facilities_gcj02.csv"\ncrs = "GCJ-02"\nx = "lon"\ny = "lat"\n', t))
    gcj02_facility_csv(d)
    # Grids in a CGCS2000 (EPSG:4490) shapefile whose .dbf is GBK with a .cpg saying so (names 西网格, 东网格).
    d = tiny_case(out, "cgcs2000_shapefile_cpg", src, lambda t: replace_once(t, 'file = "grids.geojson"\n', 'file = "grids.shp"\n'))
    ogr2ogr("-t_srs", "EPSG:4490", "-lco", "ENCODING=CP936", os.path.join(d, "grids.shp"), os.path.join(d, "grids.geojson"))
    write(os.path.join(d, "grids.cpg"), "936\n")
    # The same shapefile without its .cpg: GDAL passes the GBK bytes through; they are detected and reported.
    d2 = tiny_case(out, "dbf_gbk_without_cpg", src, lambda t: replace_once(t, 'file = "grids.geojson"\n', 'file = "grids.shp"\n'))
    for ext in (".shp", ".shx", ".dbf", ".prj"):
        shutil.copy(os.path.join(d, "grids" + ext), os.path.join(d2, "grids" + ext))


def patch_dbf_value(dbf, old: bytes, new: bytes):
    """Overwrites the first `old` among the .dbf's records (after its header) with `new` of the same length, and sets
    the header's language driver id to 0 (unknown), so that GDAL passes the bytes through as an office's old .dbf
    does (with ogr2ogr's 87, ISO-8859-1, they would be recoded as Latin-1)."""
    data = bytearray(read(dbf))
    data[29] = 0
    header_len = int.from_bytes(data[8:10], "little")
    at = data.index(old, header_len)
    assert len(new) == len(old)
    data[at:at + len(old)] = new
    write(dbf, bytes(data))


def roster_apart_cases(out, src):
    # The grids-only fixture (grid polygons and a point roster in EPSG:4548) with the roster's x/y declared in the
    # neighbouring zone EPSG:4547: its points land 256 km west of the grids, and the run stops with layers_apart.
    d = os.path.join(out, "roster_xy_apart")
    if os.path.exists(d):
        shutil.rmtree(d)
    shutil.copytree(os.path.join(src, "tests/fixtures/gridsonly"), d)
    p = os.path.join(d, "project.toml")
    write(p, replace_once(read(p).decode("utf-8"), 'crs = "EPSG:4548"               #', 'crs = "EPSG:4547"               #'))


def outside_study_area_cases(out, src):
    # The tiny fixture's facilities moved 1 km east (EPSG:4548 x + 1000): still near enough not to be a layer apart
    # (0.05°), but none lies in a community: a warning names the layer instead of a silent 0 % coverage.
    import json
    d = tiny_case(out, "facilities_outside_grids", src)
    fc = json.loads(read(os.path.join(d, "facilities.geojson")))
    for f in fc["features"]:
        f["geometry"]["coordinates"][0] += 1000
    write(os.path.join(d, "facilities.geojson"), json.dumps(fc, ensure_ascii=False))


def text_repair_cases(out, src):
    # Roads and entrances as shapefiles without .cpg whose text holds bytes that are neither UTF-8 nor GBK (road r1's
    # name 'A-B' and entrance D1's id): each layer reports them with its file, layer and feature.
    d = tiny_case(out, "roads_entrances_invalid_bytes", src,
                  lambda t: replace_once(t, 'file = "roads.geojson"\n', 'file = "roads.shp"\n') +
                  '\n[entrances]\nfile = "entrances.shp"\nid = "door_id"\nbuilding = "building_i"\n')   # .dbf names stop at 10 characters
    ogr2ogr(os.path.join(d, "roads.shp"), os.path.join(d, "roads.geojson"))
    ogr2ogr(os.path.join(d, "entrances.shp"), os.path.join(src, "tests/fixtures/entrances/entrances.geojson"))
    for name in ("roads.cpg", "entrances.cpg"):
        if os.path.exists(os.path.join(d, name)):
            os.remove(os.path.join(d, name))
    patch_dbf_value(os.path.join(d, "roads.dbf"), b"A-B", b"\xff\xff\xff")
    patch_dbf_value(os.path.join(d, "entrances.dbf"), b"D1 ", b"\xff\xff ")


def project_file_cases(out, src):
    # Project-file typos: each stops the run naming the key and the nearest valid one, or the expected type.
    tiny_case(out, "typo_minuts", src, lambda t: t.replace("minutes = 5", "minuts = 5", 1))
    tiny_case(out, "typo_walkng", src, lambda t: replace_once(t, "[walking]", "[walkng]"))
    tiny_case(out, "typo_minutes_text", src, lambda t: t.replace("minutes = 5", 'minutes = "10"', 1))
    tiny_case(out, "typo_speed_fast", src, lambda t: replace_once(t, "speed_m_per_s = 1.1", 'speed_m_per_s = "fast"'))
    tiny_case(out, "typo_workng_crs", src, lambda t: replace_once(t, "working_crs =", "workng_crs ="))


def empty_measure_cases(out, src):
    # An empty facilities layer, and a service kind that no facility has: warnings, not a silent 0 %.
    d = tiny_case(out, "empty_facilities", src, lambda t: replace_once(t, 'file = "facilities.geojson"', 'file = "facilities_empty.gpkg"'))
    ogr2ogr("-where", "1 = 0", "-nln", "facilities", os.path.join(d, "facilities_empty.gpkg"), os.path.join(d, "facilities.geojson"))
    tiny_case(out, "kind_without_facility", src, lambda t: t + '\n[[service_kinds]]\nkey = "school"\nname = "学校"\nminutes = 10\n')


REAL_OFFICE_ROWS = [  # id, address, head_name, phone, persons, party_members: tiny buildings B1-B3 are 1-3号楼
    ("O01", "东华门小区1号楼1单元101室", "秘名一RLO", "13700007701", "3", "1"),
    ("O02", "东华门小区1号楼2单元302室", "秘名二RLO", "13700007702", "2", "0"),
    ("O03", "东华门小区2号楼1单元201室", "秘名三RLO", "13700007703", "4", "0"),
    ("O04", "东华门小区2号楼1单元102室", "秘名四RLO", "13700007704", "1", "1"),
    ("O05", "东华门小区2号楼1单元301室", "秘名五RLO", "13700007705", "2", "0"),
    ("O06", "东华门小区3号楼1单元101室", "秘名六RLO", "13700007706", "3", "0"),
    ("O07", "东华门小区三号楼一单元202室", "秘名七RLO", "13700007707", "2", "0"),
    ("O08", "幸福里9号楼1单元101室", "秘名八RLO", "13700007708", "2", "0"),
    ("O09", "东华门小区门口临时摊位", "秘名九RLO", "13700007709", "1", "0"),
    ("O10", "东华门小区1号楼1单元102室", "秘名十RLO", "13700007710", "3.5", "0"),
]


def real_office_case(out, src):
    """A county office's files (not broken): the roster in an Excel workbook (sheet 户籍 beside a sheet 说明), located
    by address only, with numeric cells; grids in a CGCS2000 (EPSG:4490) shapefile with a GBK .dbf and .cpg; facilities
    as a GCJ-02 CSV; buildings, units and roads from the tiny fixture. The expected counts are in
    tests/pipeline/test_real_office.cpp."""
    d = tiny_case(out, "real_office", src)
    rows = REAL_OFFICE_ROWS
    csv = ["household_id,address,head_name,phone,persons,party_members"] + [",".join(r) for r in rows]
    write(os.path.join(d, "户籍.csv"), "\n".join(csv) + "\n")
    write(os.path.join(d, "户籍.csvt"), "String,String,String,String,Real,Integer\n")
    write(os.path.join(d, "说明.csv"), "项目,内容\n台账,东华门社区户籍\n")
    ogr2ogr("-f", "XLSX", os.path.join(d, "roster.xlsx"), os.path.join(d, "说明.csv"), "-nln", "说明")
    ogr2ogr("-f", "XLSX", "-update", os.path.join(d, "roster.xlsx"), os.path.join(d, "户籍.csv"), "-nln", "户籍")
    for f in ("户籍.csv", "户籍.csvt", "说明.csv", "households.csv"):
        os.remove(os.path.join(d, f))
    # grids: CGCS2000 shapefile, GBK attributes, .cpg
    ogr2ogr("-t_srs", "EPSG:4490", "-lco", "ENCODING=CP936", os.path.join(d, "grids.shp"), os.path.join(d, "grids.geojson"))
    write(os.path.join(d, "grids.cpg"), "936\n")
    gcj02_facility_csv(d)
    t = read(os.path.join(d, "project.toml")).decode("utf-8")
    t = replace_once(t, 'file = "grids.geojson"\n', 'file = "grids.shp"\n')
    t = replace_once(t, '[facilities]\nfile = "facilities.geojson"\n', '[facilities]\nfile = "facilities_gcj02.csv"\ncrs = "GCJ-02"\nx = "lon"\ny = "lat"\n')
    start = t.index("[households]\n")
    end = t.index("\n[", start + 1) + 1
    t = t[:start] + """[households]
file = "roster.xlsx"
sheet = "户籍"
id = "household_id"
address = "address"
persons = "persons"
party_members = "party_members"
name = "head_name"
phone = "phone"
address_pattern = '(?P<building>[0-9一二三四五六七八九十]+)号楼(?P<unit>[0-9一二三四五六七八九十]+)单元(?P<room>(?P<floor>[0-9一二三四五六七八九])[0-9〇零一二三四五六七八九]{2})'
address_building_id = "B{building}"
""" + t[end:]
    write(os.path.join(d, "project.toml"), t)


def real_office_xls_case(out, src):
    """The real office with its roster as an Excel 97-2003 workbook (.xls, written by python3-xlwt), as older county
    offices keep it: the same rows and sheets (Chinese sheet names and text: BIFF8 stores text as UTF-16, whatever the
    Windows code page, 936/GBK on a Chinese Excel, it was typed under), persons and party members as numeric cells."""
    try:
        import xlwt
    except ImportError:
        # Debian's python3-xlwt is installed for /usr/bin/python3; a python3 found first on PATH (pyenv, a venv)
        # finds it there too: xlwt is pure Python.
        sys.path.append("/usr/lib/python3/dist-packages")
        try:
            import xlwt
        except ImportError:
            sys.exit("make_bad_inputs.py: the .xls case needs python3-xlwt (apt-get install python3-xlwt)")
    d = os.path.join(out, "real_office_xls")
    if os.path.exists(d):
        shutil.rmtree(d)
    shutil.copytree(os.path.join(out, "real_office"), d)
    book = xlwt.Workbook()
    notes = book.add_sheet("说明")
    for r, row in enumerate((("项目", "内容"), ("台账", "东华门社区户籍"))):
        for c, v in enumerate(row):
            notes.write(r, c, v)
    sheet = book.add_sheet("户籍")
    for c, v in enumerate(("household_id", "address", "head_name", "phone", "persons", "party_members")):
        sheet.write(0, c, v)
    for r, row in enumerate(REAL_OFFICE_ROWS, start=1):
        for c, v in enumerate(row):
            sheet.write(r, c, float(v) if c >= 4 else v)
    book.save(os.path.join(d, "roster.xls"))
    os.remove(os.path.join(d, "roster.xlsx"))
    p = os.path.join(d, "project.toml")
    write(p, replace_once(read(p).decode("utf-8"), 'file = "roster.xlsx"', 'file = "roster.xls"'))


def main():
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--source-dir", default=here)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    sample_roster_cases(a.out, a.source_dir)
    crs_cases(a.out, a.source_dir)
    project_file_cases(a.out, a.source_dir)
    text_repair_cases(a.out, a.source_dir)
    roster_apart_cases(a.out, a.source_dir)
    outside_study_area_cases(a.out, a.source_dir)
    empty_measure_cases(a.out, a.source_dir)
    real_office_case(a.out, a.source_dir)
    real_office_xls_case(a.out, a.source_dir)
    print("bad-input corpus written to", a.out)


if __name__ == "__main__":
    sys.exit(main())
