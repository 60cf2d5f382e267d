#include "dicom_writer.hpp"

#include <gdcmReader.h>
#include <gdcmWriter.h>
#include <itkGDCMImageIO.h>
#include <itkImage.h>
#include <itkImageFileWriter.h>
#include <itkImageSeriesWriter.h>
#include <itkMetaDataObject.h>

#include <sstream>
#include <stdexcept>

namespace hemotwin::testing {

namespace {
using Image3 = itk::Image<short, 3>;
using Image2 = itk::Image<short, 2>;

// Voxel (i, j, k) holds i + 10 j + 100 k + offset, placed as the spec says.
Image3::Pointer make_volume(const SeriesSpec& g) {
  auto img = Image3::New();
  Image3::RegionType region;
  region.SetSize({itk::SizeValueType(g.size[0]), itk::SizeValueType(g.size[1]),
                  itk::SizeValueType(g.size[2])});
  img->SetRegions(region);
  Image3::SpacingType spacing;
  Image3::PointType origin;
  Image3::DirectionType direction;
  for (int a = 0; a < 3; ++a) {
    spacing[a] = g.spacing[a];
    origin[a] = g.origin[a];
    for (int b = 0; b < 3; ++b) direction[a][b] = g.direction[3 * a + b];
  }
  img->SetSpacing(spacing);
  img->SetOrigin(origin);
  img->SetDirection(direction);
  img->Allocate();
  for (int k = 0; k < g.size[2]; ++k)
    for (int j = 0; j < g.size[1]; ++j)
      for (int i = 0; i < g.size[0]; ++i)
        img->SetPixel(
            {i, j, k},
            g.voxels.empty()
                ? short(i + 10 * j + 100 * k + g.offset)
                : g.voxels[std::size_t(i + g.size[0] * (j + std::size_t(g.size[1]) * k))]);

  return img;
}

bool is_private(const std::string& tag) { return std::stoi(tag.substr(0, 4), nullptr, 16) % 2; }

// ITK's GDCM writer asserts on private tags (it finds no VR for them), so they are added to the
// written file with GDCM itself, as LO (long string) elements.
void add_private_tags(const std::string& file, const SeriesSpec& g) {
  gdcm::Reader reader;
  reader.SetFileName(file.c_str());
  if (!reader.Read()) throw std::runtime_error("cannot re-read " + file);
  auto& ds = reader.GetFile().GetDataSet();
  for (const auto& [tag, value] : g.extra_tags) {
    if (!is_private(tag)) continue;
    gdcm::DataElement de(gdcm::Tag(uint16_t(std::stoi(tag.substr(0, 4), nullptr, 16)),
                                   uint16_t(std::stoi(tag.substr(5, 4), nullptr, 16))));
    de.SetVR(gdcm::VR::LO);
    std::string padded = value;
    if (padded.size() % 2) padded += ' ';
    de.SetByteValue(padded.data(), uint32_t(padded.size()));
    ds.Replace(de);
  }
  gdcm::Writer writer;
  writer.SetFile(reader.GetFile());
  writer.SetFileName(file.c_str());
  if (!writer.Write()) throw std::runtime_error("cannot write " + file);
}
}  // namespace

void write_ct_series(const std::string& folder, const SeriesSpec& g) {
  auto img = make_volume(g);
  auto io = itk::GDCMImageIO::New();
  io->KeepOriginalUIDOn();
  std::vector<itk::MetaDataDictionary> dicts(std::size_t(g.size[2]));
  std::vector<itk::MetaDataDictionary*> pointers;
  auto col = [&](int c, int r) { return g.direction[3 * r + c]; };
  for (int k = 0; k < g.size[2]; ++k) {
    auto& d = dicts[std::size_t(k)];
    auto put = [&](const std::string& tag, const std::string& v) {
      itk::EncapsulateMetaData<std::string>(d, tag, v);
    };
    put("0008|0060", "CT");
    put("0028|0004", "MONOCHROME2");
    put("0008|0016", "1.2.840.10008.5.1.4.1.1.2");
    put("0020|000d", "1.2.826.0.1.3680043.2.1125.1.1");
    put("0020|000e", g.series_uid);
    put("0008|0018", g.series_uid + "." + std::to_string(k + 1));
    put("0020|0013", std::to_string(k + 1));
    std::ostringstream pos, orient, ps;
    pos.precision(12);
    orient.precision(12);
    ps.precision(12);
    for (int a = 0; a < 3; ++a)
      pos << (a ? "\\" : "") << g.origin[a] + col(2, a) * g.spacing[2] * k;
    put("0020|0032", pos.str());
    orient << col(0, 0) << "\\" << col(0, 1) << "\\" << col(0, 2) << "\\" << col(1, 0) << "\\"
           << col(1, 1) << "\\" << col(1, 2);
    put("0020|0037", orient.str());
    ps << g.spacing[1] << "\\" << g.spacing[0];  // row spacing \ column spacing
    put("0028|0030", ps.str());
    put("0018|0050", std::to_string(g.spacing[2]));
    put("0028|1052", "0");
    put("0028|1053", "1");
    for (const auto& [tag, value] : g.extra_tags)
      if (!is_private(tag)) put(tag, value);
    pointers.push_back(&d);
  }
  std::vector<std::string> names;
  for (int k = 0; k < g.size[2]; ++k)
    names.push_back(folder + "/" + g.series_uid + "." + std::to_string(k + 1) +
                    ".dcm");  // by SOP Instance UID, as many PACS exports name them
  auto writer = itk::ImageSeriesWriter<Image3, Image2>::New();
  writer->SetInput(img);
  writer->SetImageIO(io);
  writer->SetFileNames(names);
  writer->SetMetaDataDictionaryArray(&pointers);
  writer->Update();
  for (const auto& name : names) add_private_tags(name, g);
}

void write_ct_multiframe(const std::string& file, const SeriesSpec& g) {
  auto img = make_volume(g);
  auto& d = img->GetMetaDataDictionary();
  itk::EncapsulateMetaData<std::string>(d, "0008|0060", "CT");
  itk::EncapsulateMetaData<std::string>(d, "0020|000e", g.series_uid);
  for (const auto& [tag, value] : g.extra_tags)
    if (!is_private(tag)) itk::EncapsulateMetaData<std::string>(d, tag, value);
  auto io = itk::GDCMImageIO::New();
  auto writer = itk::ImageFileWriter<Image3>::New();
  writer->SetInput(img);
  writer->SetImageIO(io);
  writer->SetFileName(file);
  writer->Update();
  add_private_tags(file, g);
}

}  // namespace hemotwin::testing
