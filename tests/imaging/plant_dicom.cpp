// plant_dicom SCAN FOLDER SERIES_UID [gggg|eeee=VALUE ...]
//
// Writes SCAN (any format read_image reads; intensities rounded to 16-bit integers) as a DICOM CT
// series into FOLDER, one file per slice, with the given header fields added to every slice: the
// identifiers tests/privacy/patient_data.py plants to look for in everything hemotwin writes.
// A field given here replaces the writer's default (e.g. the study UID 0020|000d).
#include <cmath>
#include <exception>
#include <filesystem>
#include <iostream>
#include <string>

#include "dicom_writer.hpp"
#include "hemotwin/imaging/image_io.hpp"

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: plant_dicom SCAN FOLDER SERIES_UID [gggg|eeee=VALUE ...]\n";
    return 2;
  }
  try {
    const auto image = hemotwin::imaging::read_image(argv[1]);
    auto spec = hemotwin::testing::spec_on(image.grid);
    spec.series_uid = argv[3];
    spec.voxels.reserve(image.data.size());
    for (float v : image.data) spec.voxels.push_back(short(std::lround(v)));
    for (int i = 4; i < argc; ++i) {
      const std::string field = argv[i];
      const auto eq = field.find('=');
      if (eq != 9 || field[4] != '|') {
        std::cerr << "plant_dicom: '" << field << "' is not gggg|eeee=VALUE\n";
        return 2;
      }
      spec.extra_tags.emplace_back(field.substr(0, eq), field.substr(eq + 1));
    }
    std::filesystem::create_directories(argv[2]);
    hemotwin::testing::write_ct_series(argv[2], spec);
  } catch (const std::exception& e) {
    std::cerr << "plant_dicom: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
