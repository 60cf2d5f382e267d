#pragma once
// Structure checks of surface files before VTK reads them. VTK 9.1's readers take a cut binary STL
// without a word, and crash (a null or wild pointer) on a PLY header without an x, y or z property
// or a legacy VTK file with a word where a number belongs (both found by fuzz_surface). Each check
// throws hemotwin::Error naming the file and what is wrong; a file that passes is left to VTK.
#include <filesystem>

namespace hemotwin::geometry_checks {

/// A binary STL's triangle count against the file's size (ASCII STL passes untouched).
void check_stl(const std::filesystem::path& path);

/// A PLY header: "ply", a known format, elements with counts, properties of known types, a vertex
/// element with x, y and z and a face element with a list of indices.
void check_ply(const std::filesystem::path& path);

/// An OBJ file's faces and lines: every vertex index (1-based, or negative from the last vertex
/// read) names a vertex of the file. VTK 9.1's OBJ reader takes any index, and a filter after it
/// reads past its points (found by fuzz_surface).
void check_obj(const std::filesystem::path& path);

/// A VTK XML file (.vtp): each binary array's header (its byte count, or its compression blocks)
/// against the bytes that follow, appended raw, appended base64 or inline (vtk_xml_checks.cpp).
void check_vtk_xml(const std::filesystem::path& path);

/// A legacy VTK polydata file: its header lines, and in ASCII its POINTS and cell sections (the
/// number of values they announce, each a number, every index naming a point).
void check_legacy_vtk(const std::filesystem::path& path);

}  // namespace hemotwin::geometry_checks
