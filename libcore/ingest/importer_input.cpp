// The importer's input stage: rows from the source into the partitions' buffers, series into the
// registry, their TSIDs settled in batches.
#include "ingest/importer_stages.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "encoding/decimal.h"
#include "ingest/tsid_settlement.h"

namespace vmt::ingest::detail {

Status Importer::consume(ParsedBlock& b) {
  if (b.index_rows > 0 && text_index_ != nullptr && b.generation != text_index_->generation()) {
    // Parsed before the registry started afresh (a spill): its rows from the series text index
    // name series of the old registry. Parsed again in full, here (a few blocks per spill).
    if (!reparser_) {
      reparser_ = std::make_unique<BlockParser>(naming(), default_ts_ms_, nullptr);
      reparser_->set_multitenant(opt_.multitenant);
    }
    reparser_->parse(b);
    ++st_->blocks_parsed_again;
  }
  st_->index_rows += b.index_rows;
  if (b.file != current_file_) {
    current_file_ = b.file;
    prev_series_ = UINT32_MAX;  // each input file is one request, one Storage.add call per batch
  }
  st_->lines += b.lines;
  st_->skipped_lines += b.skipped;
  st_->labels += b.raw_stats;
  // Report bad lines in order; with --strict the first one ends the import.
  for (const auto& l : b.bad) {
    ++st_->bad_lines;
    if (opt_.on_bad_line) opt_.on_bad_line(display_name_, l.line, l.message);
    if (opt_.strict) {
      return corruption("--strict: stopped at the first bad line (" + display_name_ + ":" + std::to_string(l.line) +
                        "); nothing was written");
    }
    if (opt_.max_bad_percent < 0 && st_->bad_lines > opt_.max_bad_lines) {
      return corruption("more than --max-bad-lines " + std::to_string(opt_.max_bad_lines) + " bad lines (" + display_name_ +
                        ":" + std::to_string(l.line) + " was one too many); nothing was written");
    }
  }
  uint32_t run_key_off = UINT32_MAX, run_sid = 0;
  const ParsedBlock::Remember* remember = b.remember.data();
  const ParsedBlock::Remember* const remember_end = remember + b.remember.size();
  for (size_t i = 0; i < b.rows.size(); ++i) {
    const ParsedRow& r = b.rows[i];
    while (remember != remember_end && remember->row < i) ++remember;  // rows dropped below
    ++st_->samples_parsed;
    // Storage.add: NaN other than the staleness marker is dropped; so are rows outside the window.
    if (std::isnan(r.value) && !decimal::is_stale_nan(r.value)) {
      ++st_->dropped_nan;
      continue;
    }
    if (r.timestamp < min_ts_) {
      ++st_->dropped_too_old;
      continue;
    }
    if (r.timestamp > max_ts_) {
      ++st_->dropped_too_new;
      continue;
    }
    const ByteView key(b.keys.data() + r.key_off, r.key_len);
    const uint32_t date = uint32_t(uint64_t(r.timestamp) / uint64_t(kMsPerDay));
    uint32_t sid;
    if (r.from_index()) {
      // Known by its series text (series_text_index.h): a series of this registry, seen before.
      sid = r.series();
      run_key_off = UINT32_MAX;
    } else if (r.key_off == run_key_off) {
      // The same key as the row before in this block (a JSON line, a Prometheus series):
      // the same series, found already.
      sid = run_sid;
    } else if (decimal::is_stale_nan(r.value)) {
      // A stale marker never creates a series (metricname-tsid.md §5.3 step 4).
      int64_t found = reg_.find(key, r.hash);
      if (found < 0 && !spill_.empty()) {
        // A series of an earlier generation (series_spill.h) is known too.
        VMT_ASSIGN_OR_RETURN(found, spill_.find(reg_, key, r.hash, date));
      }
      if (found < 0) {
        ++st_->dropped_nan;
        continue;
      }
      sid = uint32_t(found);
    } else {
      bool created = false;
      sid = reg_.find_or_add(key, r.hash, date, &created);
      if (created) reg_.at(sid).inherit_from = prev_series_;
    }
    if (!r.from_index()) {
      run_key_off = r.key_off;
      if (text_index_ != nullptr && remember != remember_end && remember->row == i) {
        text_index_->insert(ByteView(b.text.data() + remember->text_off, remember->text_len), remember->text_hash, sid,
                            remember->stats);
      }
    }
    run_sid = sid;
    prev_series_ = sid;
    reg_.note_date(sid, date);
    if (cur_ == nullptr || r.timestamp < cur_->month.min_ts || r.timestamp > cur_->month.max_ts) {
      cur_ = &partition_for(r.timestamp);
    }
    ++cur_->stats.samples;
    ++st_->samples_accepted;
    if (!opt_.dry_run) cur_->rows.append(sid, r.timestamp, r.value);
  }
  return Status::ok();
}

Status Importer::resolve_pending() {
  // Series spilled before keep what they had (series_spill.h); only the others are looked up.
  uint64_t returning = 0;
  VMT_TRY(spill_.settle(reg_, resolved_, &returning));
  SettlementCounts c;
  VMT_ASSIGN_OR_RETURN(ExistingIndex * any_day, any_day_index());
  VMT_TRY(settle_tsids(reg_, resolved_, [this](uint32_t date) { return index_for(date); }, any_day,
                       &metric_id_counter_, &c));
  st_->series_other_day += c.other_day;
  resolved_ = reg_.size();
  st_->series_new += c.created;
  st_->series_curr += c.curr;
  st_->series_prev += c.prev;
  if (st_->first_metric_id == 0) st_->first_metric_id = c.first_metric_id;
  if (c.last_metric_id) st_->last_metric_id = c.last_metric_id;
  return Status::ok();
}

// Starts the input's producer threads: Prometheus blocks, or lines of text or JSON.
Status Importer::start_source(LinePipeline& lines, PromBlockSource& blocks) {
  if (!opt_.prometheus_dir.empty()) {
    PromSourceOptions so;
    so.path = opt_.prometheus_dir;
    so.start_ms = opt_.start_ms;
    so.end_ms = opt_.end_ms;
    so.match = opt_.match;
    so.naming = naming();
    VMT_TRY(blocks.start(so));
    st_->files = blocks.opened().blocks;
  } else {
    PipelineOptions po;
    po.inputs = opt_.inputs;
    po.parsers = threads_;
    po.naming = naming();
    po.json_lines = opt_.json_lines;
    po.multitenant = opt_.multitenant;
    po.series_cache = opt_.series_text_index;
    po.chunk_bytes = opt_.read_chunk_bytes;
    // The series text index takes a quarter of --mem-limit (2 to 64 MiB); maybe_flush_early
    // keeps the samples and series within the rest.
    po.series_cache_bytes = cache_bytes();
    default_ts_ms_ = opt_.default_timestamp_ms > 0 ? opt_.default_timestamp_ms
                                                   : int64_t(wall_ns() / 1000000);  // taken once: reproducible within a run
    po.default_timestamp_ms = default_ts_ms_;
    lines.start(po);
    text_index_ = lines.series_index();
    st_->files = po.inputs.empty() ? 1 : po.inputs.size();
  }
  return Status::ok();
}

// More bad lines than --max-bad-lines allows: the input is probably not what --format says.
Status Importer::check_bad_lines() const {
  if (opt_.max_bad_percent < 0 || st_->bad_lines <= opt_.max_bad_lines ||
      double(st_->bad_lines) * 100 <= opt_.max_bad_percent * double(st_->lines)) {
    return Status::ok();
  }
  char share[32];
  std::snprintf(share, sizeof share, "%.2f%%", 100.0 * double(st_->bad_lines) / double(std::max<uint64_t>(st_->lines, 1)));
  return corruption(std::to_string(st_->bad_lines) + " of " + std::to_string(st_->lines) + " lines were bad (" + share +
                    ", more than --max-bad-lines allows): is this the right --format? nothing was written");
}

// Every row of the input into the partitions' buffers (parts flushed early over --mem-limit), from
// text or JSON lines (LinePipeline) or from Prometheus blocks (PromBlockSource).
Status Importer::read_input() {
  const bool from_prom = !opt_.prometheus_dir.empty();
  st_->from_prometheus = from_prom;
  LinePipeline lines;
  // The pipeline's series text index goes with it, at every return.
  struct ForgetIndex {
    SeriesTextIndex*& index;
    ~ForgetIndex() { index = nullptr; }
  } forget_index{text_index_};
  PromBlockSource blocks;
  RowSource& pipe = from_prom ? static_cast<RowSource&>(blocks) : lines;
  VMT_TRY(start_source(lines, blocks));
  std::vector<uint64_t> file_bytes(std::max<uint64_t>(st_->files, 1), 0);
  ImportProgress progress;
  if (from_prom) progress.samples_total = blocks.opened().announced_samples;
  if (!opt_.dry_run) {
    VMT_TRY(dir_.open(opt_.dir, opt_.part_name_seed, opt_.tenancy, opt_.per_partition_index));
    VMT_TRY(open_existing());
    metric_id_counter_ = std::max(opt_.metric_id_base ? opt_.metric_id_base : wall_ns(), existing_.max_metric_id());
  }

  while (ParsedBlock* b = pipe.next()) {
    if (stopped()) {
      pipe.release(b);
      pipe.stop();
      return io_error(kInterrupted);
    }
    display_name_ = pipe.display_name(b->file);
    file_bytes[b->file] = std::max(file_bytes[b->file], b->input_bytes);
    Status s = consume(*b);
    pipe.release(b);
    if (!s.is_ok()) {
      pipe.stop();
      return s;
    }
    if (!opt_.dry_run) {
      s = maybe_flush_early();
      if (!s.is_ok()) {
        pipe.stop();
        return s;
      }
    }
    if (opt_.on_progress) {
      progress.input_bytes = 0;
      for (uint64_t x : file_bytes) progress.input_bytes += x;
      progress.lines = st_->lines;
      progress.samples = st_->samples_accepted;
      progress.series = series_spilled_ + reg_.size();
      opt_.on_progress(progress);
    }
  }
  pipe.stop();
  if (from_prom) st_->prom = blocks.stats();
  if (Status s = pipe.status(); !s.is_ok()) {
    // A broken input is a data problem (exit 1), an unreadable one an I/O problem (exit 3).
    return s.code() == Code::io_error ? s : corruption(s.message() + "; nothing was written");
  }
  for (uint64_t x : file_bytes) st_->input_bytes += x;
  VMT_TRY(check_bad_lines());
  st_->series = reg_.size();  // with spills: counted after the last settlement (write_and_commit)
  st_->seconds_input = seconds_since(t_start_) - seconds_data_ - st_->seconds_index;
  return Status::ok();
}

}  // namespace vmt::ingest::detail
