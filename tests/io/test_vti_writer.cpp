// write_vti read back through vtkXMLImageDataReader: geometry, arrays, values, time, compression.
#include <gtest/gtest.h>
#include <vtkDataArray.h>
#include <vtkFieldData.h>
#include <vtkImageData.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkXMLImageDataReader.h>

#include <fstream>
#include <sstream>

#include "hemotwin/core/error.hpp"
#include "hemotwin/io/vti_writer.hpp"
#include "synthetic.hpp"

namespace hemotwin::io {
namespace {

namespace fs = std::filesystem;

TEST(VtiWriter, RoundTripsThroughVtkXmlImageDataReader) {
  test::TempDir dir("vti");
  const GridInfo g = test::make_grid({24, 16, 32}, {{0, 0, 0}, {2, 1, 3}, {1, 0, 2}, {2, 0, 0}});
  const FieldSnapshot s = test::make_snapshot(g, 42, 0.125, 1.5);
  const fs::path file = dir / "results.vti";
  write_vti(file, g, s);

  // Binary appended, zlib compressed.
  std::ifstream raw(file, std::ios::binary);
  std::stringstream text;
  text << raw.rdbuf();
  EXPECT_NE(text.str().find("compressor=\"vtkZLibDataCompressor\""), std::string::npos);
  EXPECT_NE(text.str().find("<AppendedData encoding=\"raw\">"), std::string::npos);

  vtkNew<vtkXMLImageDataReader> reader;
  reader->SetFileName(file.c_str());
  reader->Update();
  vtkImageData* image = reader->GetOutput();
  ASSERT_NE(image, nullptr);
  int dims[3];
  image->GetDimensions(dims);
  EXPECT_EQ(dims[0], 24);
  EXPECT_EQ(dims[1], 16);
  EXPECT_EQ(dims[2], 32);
  double origin[3], spacing[3];
  image->GetOrigin(origin);
  image->GetSpacing(spacing);
  for (int a = 0; a < 3; ++a) {
    EXPECT_DOUBLE_EQ(origin[a], g.origin[a]);
    EXPECT_DOUBLE_EQ(spacing[a], g.dx);
  }
  vtkDataArray* u = image->GetPointData()->GetArray("velocity");
  vtkDataArray* p = image->GetPointData()->GetArray("pressure");
  vtkDataArray* m = image->GetPointData()->GetArray("fluid_mask");
  ASSERT_NE(u, nullptr);
  ASSERT_NE(p, nullptr);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(u->GetNumberOfComponents(), 3);
  EXPECT_EQ(u->GetNumberOfTuples(), 24 * 16 * 32);
  EXPECT_EQ(u->GetDataType(), VTK_FLOAT);
  EXPECT_EQ(m->GetDataType(), VTK_UNSIGNED_CHAR);
  std::int64_t fluid = 0;
  for (int z = 0; z < 32; ++z)
    for (int y = 0; y < 16; ++y)
      for (int x = 0; x < 24; ++x) {
        const vtkIdType id = x + 24 * (y + 16 * z);
        const bool f = test::stored_fluid(g, x, y, z);
        fluid += f;
        ASSERT_EQ(m->GetComponent(id, 0), f ? 1.0 : 0.0);
        for (int k = 0; k < 3; ++k)
          ASSERT_EQ(static_cast<float>(u->GetComponent(id, k)),
                    f ? test::velocity_value(x, y, z, k, 1.5) : 0.0f);
        ASSERT_EQ(static_cast<float>(p->GetComponent(id, 0)),
                  f ? test::pressure_value(x, y, z, 1.5) : 0.0f);
      }
  EXPECT_EQ(fluid, g.fluid_cells);
  vtkDataArray* t = image->GetFieldData()->GetArray("TimeValue");
  ASSERT_NE(t, nullptr);
  EXPECT_DOUBLE_EQ(t->GetComponent(0, 0), 0.125);
}

TEST(VtiWriter, ErrorsNameTheFile) {
  test::TempDir dir("vti-errors");
  const GridInfo g = test::make_grid({8, 8, 8}, {{0, 0, 0}});
  FieldSnapshot s = test::make_snapshot(g, 1, 0.1, 1.0);
  const fs::path missing = dir / "missing" / "results.vti";
  try {
    write_vti(missing, g, s);
    FAIL() << "no error writing into a missing directory";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(missing.string()), std::string::npos) << e.what();
  }
  s.velocity.resize(5);
  EXPECT_THROW(write_vti(dir / "results.vti", g, s), Error);
}

}  // namespace
}  // namespace hemotwin::io
