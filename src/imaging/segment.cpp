// Lumen segmentation through ITK: curvature-flow smoothing, connected threshold from seeds, hole
// filling, largest component; and the overlap measures the tests and reports use.
#include "hemotwin/imaging/segment.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "hemotwin/core/error.hpp"
#include "raw.hpp"

namespace hemotwin::imaging {

namespace {
std::string point_str(const Vec3& p) {
  std::ostringstream s;
  s.precision(4);
  s << "(" << p[0] << ", " << p[1] << ", " << p[2] << ") mm";
  return s.str();
}

std::string range_str(const Grid& g) {
  Vec3 lo = Vec3::Constant(1e300), hi = -lo;
  for (int c = 0; c < 8; ++c) {
    const Vec3 p = g.point((c & 1) ? g.size[0] - 1 : 0, (c & 2) ? g.size[1] - 1 : 0,
                           (c & 4) ? g.size[2] - 1 : 0);
    lo = lo.cwiseMin(p);
    hi = hi.cwiseMax(p);
  }
  return point_str(lo) + " to " + point_str(hi);
}

// The voxel of each seed; a seed outside the scan is refused before any filter runs.
std::vector<Index3> seed_voxels(const Grid& g, const std::vector<Vec3>& seeds) {
  std::vector<Index3> at;
  for (const Vec3& s : seeds) {
    at.push_back(g.nearest(s));
    if (!g.contains(at.back()[0], at.back()[1], at.back()[2]))
      throw Error("seed " + point_str(s) + " lies outside the scan, which spans " + range_str(g));
  }
  return at;
}

double percentile(std::vector<float> v, double q) {
  if (v.empty()) return 0;
  const auto k = std::size_t(std::clamp(q, 0.0, 1.0) * double(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + std::ptrdiff_t(k), v.end());
  return v[k];
}

// About a million evenly strided values of a scan: enough for its background statistics.
std::vector<float> sample_of(const std::vector<float>& data) {
  std::vector<float> out;
  const std::size_t stride = std::max<std::size_t>(1, data.size() / 1000000);
  for (std::size_t n = 0; n < data.size(); n += stride) out.push_back(data[n]);
  return out;
}

double median(std::vector<float> v) {
  if (v.empty()) return 0;
  auto mid = v.begin() + std::ptrdiff_t(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  return *mid;
}

// Face-neighbour boundary voxels of the non-zero labels.
std::vector<std::int64_t> boundary(const LabelMap& m) {
  std::vector<std::int64_t> out;
  const Grid& g = m.grid;
  for (int z = 0; z < g.size[2]; ++z)
    for (int y = 0; y < g.size[1]; ++y)
      for (int x = 0; x < g.size[0]; ++x) {
        if (!m.at(x, y, z)) continue;
        const int nb[6][3] = {{x - 1, y, z}, {x + 1, y, z}, {x, y - 1, z},
                              {x, y + 1, z}, {x, y, z - 1}, {x, y, z + 1}};
        for (const auto& n : nb)
          if (!g.contains(n[0], n[1], n[2]) || !m.at(n[0], n[1], n[2])) {
            out.push_back(g.linear(x, y, z));
            break;
          }
      }
  return out;
}

// Distance (mm) from every voxel to the nearest boundary voxel of the non-zero labels (0 on the
// boundary voxels themselves): ITK's Danielsson map of the boundary mask.
std::vector<float> distance_to_boundary(const LabelMap& m, const std::vector<std::int64_t>& edge) {
  LabelMap mask(m.grid, 0);
  for (auto n : edge) mask.data[std::size_t(n)] = 1;
  return itk_ops::distance_to_mask(detail::to_raw(mask));
}

void check_same_grid(const LabelMap& a, const LabelMap& b, const char* what) {
  if (!a.grid.same_as(b.grid))
    throw Error(std::string(what) + ": the two label maps lie on different grids");
}
}  // namespace

Image crop(const Image& image, const Box& box) {
  const Grid& g = image.grid;
  int lo[3] = {g.size[0], g.size[1], g.size[2]}, hi[3] = {-1, -1, -1};
  // The index range of the voxels whose centres lie in the box (the box's corners bound it).
  for (int c = 0; c < 8; ++c) {
    const Vec3 p((c & 1) ? box.hi[0] : box.lo[0], (c & 2) ? box.hi[1] : box.lo[1],
                 (c & 4) ? box.hi[2] : box.lo[2]);
    const Vec3 idx = g.index(p);
    for (int a = 0; a < 3; ++a) {
      lo[a] = std::min(lo[a], int(std::floor(idx[a])));
      hi[a] = std::max(hi[a], int(std::ceil(idx[a])));
    }
  }
  for (int a = 0; a < 3; ++a) {
    lo[a] = std::max(lo[a], 0);
    hi[a] = std::min(hi[a], g.size[a] - 1);
    if (lo[a] > hi[a])
      throw Error("the region of interest " + point_str(box.lo) + " to " + point_str(box.hi) +
                  " misses the scan, which spans " + range_str(g));
  }
  Grid out = g;
  out.origin = g.point(lo[0], lo[1], lo[2]);
  for (int a = 0; a < 3; ++a) out.size[a] = hi[a] - lo[a] + 1;
  Image r(out);
  for (int z = 0; z < out.size[2]; ++z)
    for (int y = 0; y < out.size[1]; ++y)
      for (int x = 0; x < out.size[0]; ++x)
        r.at(x, y, z) = image.at(x + lo[0], y + lo[1], z + lo[2]);
  return r;
}

Segmentation threshold_connected(const Image& image, const ThresholdOptions& o) {
  const Grid& g = image.grid;
  if (o.seeds.empty()) throw Error("segmentation needs at least one seed point inside the vessel");
  if (o.lower && o.upper && !(*o.lower <= *o.upper))
    throw Error("the threshold range is empty: lower " + std::to_string(*o.lower) + " > upper " +
                std::to_string(*o.upper));
  const std::vector<Index3> voxels = seed_voxels(g, o.seeds);

  auto smooth = detail::to_raw(image);
  // Curvature flow is explicit: stable for time steps up to h^2 / 16 in 3-D (ITK's 0.0625 at unit
  // spacing), h the smallest spacing, since ITK takes the spacing into account.
  const double h = g.spacing.minCoeff();
  if (o.smoothing_iterations > 0)
    itk_ops::curvature_flow(smooth, o.smoothing_iterations, 0.0625 * h * h);
  const float* sm = smooth.data.data();

  // Seeds: inside the image, and their neighbourhood's intensity.
  std::vector<std::array<int, 3>> seeds;
  std::vector<float> seed_values;
  for (const Index3& i : voxels) {
    seeds.push_back({i[0], i[1], i[2]});
    for (int dz = -1; dz <= 1; ++dz)
      for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx)
          if (g.contains(i[0] + dx, i[1] + dy, i[2] + dz))
            seed_values.push_back(sm[g.linear(i[0] + dx, i[1] + dy, i[2] + dz)]);
  }

  // The range when not given: halfway between the lumen (the seeds' median) and the background
  // (the scan's median: vessels fill a small part of a scan), which puts the edge at the wall's
  // half-intensity point; upwards, three times as far above the lumen (excludes bone on CT).
  const double lumen = median(seed_values);
  std::vector<float> sample = sample_of(smooth.data);
  const double background = median(sample);
  for (float& v : sample) v = float(std::abs(v - background));
  const double spread = 1.4826 * median(sample);  // robust standard deviation of the background
  double lower = o.lower.value_or(0.5 * (lumen + background));
  double upper = o.upper.value_or(lumen + 3 * std::abs(lumen - lower));
  if (!o.lower && !(lumen > background + 3 * spread))
    throw Error("cannot choose a threshold: the seeds' intensity (" + std::to_string(lumen) +
                ") is not above the scan's background (" + std::to_string(background) + " +- " +
                std::to_string(spread) +
                "); check that the seeds lie in the contrast-filled lumen, or give lower/upper");
  for (std::size_t k = 0; k < seeds.size(); ++k) {
    const float v = sm[g.linear(seeds[k][0], seeds[k][1], seeds[k][2])];
    if (v < lower || v > upper)
      throw Error("seed " + point_str(o.seeds[k]) + " has intensity " + std::to_string(v) +
                  " (after smoothing), outside the threshold range [" + std::to_string(lower) +
                  ", " + std::to_string(upper) +
                  "]; move the seed into the lumen or widen the range");
  }

  // Barriers: voxels a disc passes through (|distance| within half the voxel's extent along the
  // normal, so no face-connected step can jump it) are taken out of the range.
  for (const auto& b : o.barriers) {
    if (!(b.normal.norm() > 0) || !(b.radius > 0))
      throw Error("a barrier needs a non-zero normal and a positive radius");
    const Vec3 n = b.normal.normalized();
    const Vec3 nl = g.direction.transpose() * n;  // in the index axes
    const double half = 0.5 * (std::abs(nl[0]) * g.spacing[0] + std::abs(nl[1]) * g.spacing[1] +
                               std::abs(nl[2]) * g.spacing[2]);
    std::int64_t hit = 0;
    float* data = smooth.data.data();
    for (int k = 0; k < g.size[2]; ++k)
      for (int j = 0; j < g.size[1]; ++j)
        for (int i = 0; i < g.size[0]; ++i) {
          const Vec3 r = g.point(i, j, k) - b.point;
          const double along = r.dot(n);
          if (std::abs(along) <= half && (r - along * n).norm() <= b.radius) {
            data[g.linear(i, j, k)] = float(lower - 1 - std::abs(lower));
            ++hit;
          }
        }
    if (hit == 0)
      throw Error("the barrier at " + point_str(b.point) + " misses the scan, which spans " +
                  range_str(g));
  }
  for (std::size_t k = 0; k < seeds.size(); ++k)
    if (!o.barriers.empty() && sm[g.linear(seeds[k][0], seeds[k][1], seeds[k][2])] < lower)
      throw Error("seed " + point_str(o.seeds[k]) + " lies on a barrier; move it into the chamber");

  auto mask = itk_ops::connected_threshold(smooth, lower, upper, seeds);
  if (o.fill_holes) itk_ops::fill_holes(mask);

  Segmentation s;
  s.labels = detail::from_raw<std::uint8_t>(std::move(mask));
  s.lower = lower;
  s.upper = upper;
  s.voxels = std::count_if(s.labels.data.begin(), s.labels.data.end(), [](auto v) { return v; });
  s.volume_mm3 = double(s.voxels) * g.voxel_volume();
  if (s.voxels == 0) throw Error("the segmentation is empty");
  return s;
}

namespace {

Segmentation finish(LabelMap labels, const Image& image) {
  Segmentation s;
  s.labels = std::move(labels);
  std::vector<float> inside;
  for (std::size_t n = 0; n < s.labels.data.size(); ++n)
    if (s.labels.data[n]) inside.push_back(image.data[n]);
  s.voxels = std::int64_t(inside.size());
  if (s.voxels == 0) throw Error("the segmentation is empty");
  s.volume_mm3 = double(s.voxels) * image.grid.voxel_volume();
  s.lower = percentile(inside, 0.05);
  s.upper = percentile(inside, 0.995);
  return s;
}

}  // namespace

Image vesselness(const Image& image, const VesselnessOptions& o) {
  if (image.grid.voxels() == 0) throw Error("vesselness: the image is empty");
  if (!(o.sigma_min_mm > 0 && o.sigma_max_mm >= o.sigma_min_mm) || o.scales < 1)
    throw Error(
        "vesselness: sigmas must be > 0 with sigma_min_mm <= sigma_max_mm, and scales >= 1");
  // Background 0, bright end 1 (dark vessels: the reverse), so gamma means the same everywhere.
  const std::vector<float> sample = sample_of(image.data);
  const double background = percentile(sample, 0.5);
  const double end = percentile(sample, o.bright ? 0.999 : 0.001);
  if (!(std::abs(end - background) > 0)) throw Error("vesselness: the image has no contrast");
  auto raw = detail::to_raw(image);
  for (float& v : raw.data) v = float((v - background) / (end - background));
  auto out = o.filter == VesselnessOptions::Filter::Sato
                 ? itk_ops::sato_vesselness(raw, o.sigma_min_mm, o.sigma_max_mm, o.scales, o.alpha1,
                                            o.alpha2)
                 : itk_ops::vesselness(raw, o.sigma_min_mm, o.sigma_max_mm, o.scales, true, o.alpha,
                                       o.beta, o.gamma);
  for (float& x : out.data) x = std::max(x, 0.0f);
  const float peak = *std::max_element(out.data.begin(), out.data.end());
  if (peak > 0)
    for (float& v : out.data) v /= peak;
  return detail::from_raw<float>(std::move(out));
}

Segmentation vesselness_connected(const Image& image, const std::vector<Vec3>& seeds, double level,
                                  const VesselnessOptions& o) {
  const Grid& g = image.grid;
  if (seeds.empty()) throw Error("segmentation needs at least one seed point inside the vessel");
  if (!(level > 0 && level < 1)) throw Error("the vesselness level must lie in (0, 1)");
  const std::vector<Index3> voxels = seed_voxels(g, seeds);
  const Image v = vesselness(image, o);
  std::vector<std::array<int, 3>> at;
  for (std::size_t k = 0; k < seeds.size(); ++k) {
    const Vec3& s = seeds[k];
    const Index3& i = voxels[k];
    // The strongest response within one voxel: a seed a hair off a thin vessel's axis still counts.
    double best = -1;
    std::array<int, 3> pick{i[0], i[1], i[2]};
    for (int dz = -1; dz <= 1; ++dz)
      for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx)
          if (g.contains(i[0] + dx, i[1] + dy, i[2] + dz) &&
              v.at(i[0] + dx, i[1] + dy, i[2] + dz) > best) {
            best = v.at(i[0] + dx, i[1] + dy, i[2] + dz);
            pick = {i[0] + dx, i[1] + dy, i[2] + dz};
          }
    if (best < level)
      throw Error("seed " + point_str(s) + " has vesselness " + std::to_string(best) +
                  ", below the level " + std::to_string(level) +
                  "; move the seed onto the vessel, lower the level, or widen the scales to the "
                  "vessel's radius");
    at.push_back(pick);
  }
  auto mask = itk_ops::connected_threshold(detail::to_raw(v), level, 2.0, at);
  itk_ops::fill_holes(mask);
  Segmentation out = finish(detail::from_raw<std::uint8_t>(std::move(mask)), image);
  // The intensity range for a level-set refinement, as threshold_connected chooses it: halfway
  // between the lumen (near the centrelines: vesselness above half) and the background.
  std::vector<float> core;
  for (std::size_t n = 0; n < v.data.size(); ++n)
    if (out.labels.data[n] && v.data[n] >= 0.5) core.push_back(image.data[n]);
  if (!core.empty()) {
    const double lumen = percentile(core, 0.5), background = percentile(sample_of(image.data), 0.5);
    const double mid = 0.5 * (lumen + background), span = 3 * std::abs(lumen - mid);
    out.lower = o.bright ? mid : lumen - span;
    out.upper = o.bright ? lumen + span : mid;
  }
  return out;
}

Segmentation refine_level_set(const Image& image, const Segmentation& initial,
                              const LevelSetOptions& o) {
  if (!initial.labels.grid.same_as(image.grid))
    throw Error("level set: the initial segmentation lies on another grid than the image");
  if (o.iterations < 1 || !(o.curvature >= 0) || !(o.max_rms > 0))
    throw Error("level set: iterations >= 1, curvature >= 0 and max_rms > 0 are needed");
  const double lower = o.lower.value_or(initial.lower), upper = o.upper.value_or(initial.upper);
  if (!(upper > lower))
    throw Error("level set: the intensity range [" + std::to_string(lower) + ", " +
                std::to_string(upper) + "] is empty");
  auto mask = itk_ops::threshold_level_set(detail::to_raw(image), detail::to_raw(initial.labels),
                                           lower, upper, o.curvature, o.iterations, o.max_rms);
  LabelMap out = detail::from_raw<std::uint8_t>(std::move(mask));
  // The piece that holds most of the initial region (a front may have grown a stray island).
  std::vector<std::uint32_t> id;
  const int n = itk_ops::label_components(detail::to_raw(out), id);
  if (n == 0) throw Error("level set: the front collapsed; lower the curvature weight");
  std::vector<std::int64_t> overlap(std::size_t(n) + 1, 0);
  for (std::size_t k = 0; k < id.size(); ++k)
    if (initial.labels.data[k]) ++overlap[id[k]];
  const auto keep =
      std::uint32_t(std::max_element(overlap.begin() + 1, overlap.end()) - overlap.begin());
  for (std::size_t k = 0; k < id.size(); ++k) out.data[k] = id[k] == keep ? 1 : 0;
  Segmentation s = finish(std::move(out), image);
  s.lower = lower;
  s.upper = upper;
  return s;
}

Segmentation segment_lumen(const Image& image, const SegmentationSteps& steps) {
  Segmentation s = steps.vesselness
                       ? vesselness_connected(image, steps.threshold.seeds, steps.vesselness_level,
                                              steps.vesselness_options)
                       : threshold_connected(image, steps.threshold);
  if (!steps.level_set) return s;
  LevelSetOptions ls = steps.level_set_options;
  if (!ls.lower) ls.lower = steps.threshold.lower;
  if (!ls.upper) ls.upper = steps.threshold.upper;
  return refine_level_set(image, s, ls);
}

LabelMap largest_component(const LabelMap& labels) {
  std::vector<std::uint32_t> id;
  if (itk_ops::label_components(detail::to_raw(labels), id) == 0)
    throw Error("the label map is empty");
  LabelMap out(labels.grid, 0);
  for (std::size_t n = 0; n < out.data.size(); ++n) out.data[n] = id[n] == 1 ? 1 : 0;
  return out;
}

Image lumen_field(const LabelMap& labels, double sigma_mm) {
  if (!(sigma_mm >= 0)) throw Error("the lumen field's smoothing must be >= 0 mm");
  Image f(labels.grid);
  for (std::size_t n = 0; n < f.data.size(); ++n) f.data[n] = labels.data[n] ? 1.0f : 0.0f;
  if (sigma_mm > 0) {
    auto raw = detail::to_raw(f);
    itk_ops::gaussian_blur(raw, sigma_mm);
    f.data = std::move(raw.data);
  }
  return f;
}

double dice(const LabelMap& a, const LabelMap& b) {
  check_same_grid(a, b, "Dice");
  std::int64_t na = 0, nb = 0, both = 0;
  for (std::size_t n = 0; n < a.data.size(); ++n) {
    na += a.data[n] != 0;
    nb += b.data[n] != 0;
    both += a.data[n] && b.data[n];
  }
  return na + nb == 0 ? 1.0 : 2.0 * double(both) / double(na + nb);
}

double mean_surface_distance(const LabelMap& a, const LabelMap& b) {
  check_same_grid(a, b, "surface distance");
  const auto ba = boundary(a), bb = boundary(b);
  if (ba.empty() || bb.empty()) throw Error("surface distance: a label map is empty");
  const auto da = distance_to_boundary(a, ba), db = distance_to_boundary(b, bb);
  double sum = 0;
  for (auto n : ba) sum += std::abs(db[std::size_t(n)]);
  for (auto n : bb) sum += std::abs(da[std::size_t(n)]);
  return sum / double(ba.size() + bb.size());
}

}  // namespace hemotwin::imaging
