// The VTK XML check (src/geometry/vtk_xml_checks.cpp) against files VTK's own writer makes.
#include <gtest/gtest.h>
#include <vtkPolyData.h>
#include <vtkSmartPointer.h>
#include <vtkXMLPolyDataReader.h>
#include <vtkXMLPolyDataWriter.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "hemotwin/core/error.hpp"
#include "hemotwin/geometry/surface_shape.hpp"
#include "meshes.hpp"

using namespace hemotwin;
using namespace hemotwin::test;
namespace fs = std::filesystem;

// VTK XML files as VTK writes them in every mode (inline binary, appended raw and base64, ASCII;
// uncompressed, zlib, LZ4, LZMA; 32- and 64-bit headers) pass the header check and read; one with
// a damaged compression header is refused (VTK allocated what it announced: fuzz_surface).
TEST(SurfaceIo, VtkXmlArraysAreCheckedInEveryWriterMode) {
  const fs::path dir = scratch("vtp-modes");
  const TriangleMesh mesh = sphere_mesh(Vec3::Zero(), 1, 8, 16);
  write_surface(mesh, dir / "ours.vtp");
  auto poly = vtkSmartPointer<vtkXMLPolyDataReader>::New();
  poly->SetFileName((dir / "ours.vtp").c_str());
  poly->Update();
  int written = 0;
  for (int mode : {vtkXMLWriter::Ascii, vtkXMLWriter::Binary, vtkXMLWriter::Appended})
    for (int encode : {0, 1})
      for (int compressor :
           {vtkXMLWriter::NONE, vtkXMLWriter::ZLIB, vtkXMLWriter::LZ4, vtkXMLWriter::LZMA})
        for (int header : {vtkXMLWriter::UInt32, vtkXMLWriter::UInt64}) {
          auto w = vtkSmartPointer<vtkXMLPolyDataWriter>::New();
          w->SetInputData(poly->GetOutput());
          w->SetDataMode(mode);
          w->SetEncodeAppendedData(encode);
          w->SetCompressorType(compressor);
          w->SetHeaderType(header);
          w->SetBlockSize(256);  // several blocks per array
          // The fastest level: the format is the same, and LZMA's default level maps about
          // 100 MB per file, which the sanitized build pays page by page (35 s for this test).
          w->SetCompressionLevel(1);
          const fs::path p = dir / ("m" + std::to_string(written++) + ".vtp");
          w->SetFileName(p.c_str());
          ASSERT_EQ(w->Write(), 1);
          EXPECT_EQ(read_surface(p).triangles.size(), mesh.triangles.size()) << p;
        }
  // A block count of 2^31 in a raw appended, compressed file.
  auto w = vtkSmartPointer<vtkXMLPolyDataWriter>::New();
  w->SetInputData(poly->GetOutput());
  w->SetDataModeToAppended();
  w->EncodeAppendedDataOff();
  w->SetCompressorTypeToZLib();
  w->SetFileName((dir / "damaged.vtp").c_str());
  ASSERT_EQ(w->Write(), 1);
  std::string bytes;
  {
    std::ifstream in(dir / "damaged.vtp", std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const auto data = bytes.find('_', bytes.find("<AppendedData")) + 1;
  bytes[data + 3] = '\x80';
  std::ofstream(dir / "damaged.vtp", std::ios::binary | std::ios::trunc) << bytes;
  const std::string msg = message_of([&] { read_surface(dir / "damaged.vtp"); });
  EXPECT_NE(msg.find("its compression header announces 2147483649 blocks"), std::string::npos)
      << msg;
}
