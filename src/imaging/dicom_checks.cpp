// The DICOM check of image_checks.hpp, apart because it reads with GDCM (whose headers only this
// file and itk_ops.cpp see). GDCM reads a file cut short inside its pixel data with a warning
// ("Incomplete Pixel Data found, use file at own risk") that quiet() silences, and ITK then
// stacks the slice's missing part as zeros: the series segments, wrongly, with exit code 0.
#include <gdcmExplicitDataElement.h>
#include <gdcmImplicitDataElement.h>
#include <gdcmReader.h>

#include <cstdint>
#include <filesystem>
#include <fstream>

#include "hemotwin/core/error.hpp"
#include "image_checks.hpp"

namespace hemotwin::imaging {

void check_dicom_pixel_data(const std::string& file, const std::string& folder,
                            const std::string& which) {
  gdcm::Reader reader;
  reader.SetFileName(file.c_str());
  if (!reader.Read()) return;  // what GDCM cannot read at all, ITK refuses itself
  // GDCM keeps a cut-short element at the length its header announces; the file's elements,
  // added up so, must then fit in the file.
  const gdcm::File& f = reader.GetFile();
  const bool is_explicit = f.GetHeader().GetDataSetTransferSyntax().IsExplicit();
  std::uint64_t announced =
      std::uint64_t(f.GetHeader().GetLength<gdcm::ExplicitDataElement>()) +
      std::uint64_t(is_explicit ? f.GetDataSet().GetLength<gdcm::ExplicitDataElement>()
                                : f.GetDataSet().GetLength<gdcm::ImplicitDataElement>());
  char magic[4] = {};
  std::ifstream in(file, std::ios::binary);
  in.seekg(128);
  if (in.read(magic, 4) && std::string(magic, 4) == "DICM") announced += 132;  // preamble
  // GDCM's sum can be off by a byte where an element has no length of its own (a sequence, or
  // compressed pixel data as fragments: one GDCM example file); elsewhere it is exact.
  std::uint64_t slack = 0;
  const gdcm::DataSet& elements = f.GetDataSet();
  for (auto e = elements.Begin(); e != elements.End(); ++e)
    if (e->GetVL().IsUndefined()) slack = 16;
  const std::uint64_t size = std::filesystem::file_size(file);
  if (size + slack < announced)
    throw Error(which + " is cut short: " + std::to_string(size) + " of the " +
                    std::to_string(announced) +
                    " bytes its elements announce are in the file; it is damaged or was not "
                    "copied completely; export the series again",
                folder);
}

}  // namespace hemotwin::imaging
