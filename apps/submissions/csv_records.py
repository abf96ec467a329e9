"""Where the records of a CSV text end, whatever its quotes: one pass over its bytes, carried from one
piece of the file to the next, so that polars can be handed blocks of whole records
(parsing._csv_batches)."""

from __future__ import annotations

from typing import Any

import numpy as np

from apps.submissions.messages import FileProblem

QUOTE, NEWLINE, CR = 0x22, 0x0A, 0x0D
OUTSIDE, QUOTED, CLOSED, LITERAL = range(4)  # where the scan is; see CsvRecords
SCAN_WINDOW = 1024 * 1024  # bytes classified with numpy at a time (its arrays stay a few MB)


class CsvRecords:
    """The records of a CSV text that arrives in pieces (`feed`), handed out as blocks of whole records
    (`skip`, `take`, `finish`).

    The dialect is the one polars reads with quote_char '"': a quote opens a quoted cell only at the
    start of a cell; in a quoted cell, delimiters and line breaks are text and every quote closes or
    reopens it, so `""` is a quote in the text; a quote anywhere else is an ordinary character, as the
    inch mark in `1/2" pipe`. A record ends at a line break outside quoted cells. Polars' reader itself
    takes such an inch mark for a quote when it counts the lines of its input, and fails ("CSV
    malformed"), so the blocks have those cells quoted: `"1/2"" pipe"`, the same text.

    One pass over the bytes, its state carried from piece to piece: where the scan is (OUTSIDE quoted
    cells, QUOTED inside one, CLOSED after a quoted cell's closing quote while the cell goes on, in a
    LITERAL cell that has a quote as a character), where the current record and cell start. A window at
    a time, numpy finds the quotes and tells apart by the byte before each those that open or close a
    cell (nearly all, in real files); runs of ordinary quotes are found the same way, so Python looks at
    quotes only where the one kind gives way to the other. `visited` counts the bytes looked at, which
    stays within a constant times the text's size however its quotes fall.

    A record longer than `limit` bytes is refused instead of being read on: FileProblem "open_quote"
    when a quoted cell is open at its limit-th byte (a quote that never closes), else "row_too_long".
    So the buffer holds at most what was fed since the last block and one record.

    The text is UTF-8 (or any encoding in which these ASCII bytes are never part of another character).
    """

    def __init__(self, delimiter: str, limit: int) -> None:
        self.delimiter = delimiter.encode()
        self.limit = limit
        self.buffer = bytearray()
        self.scanned = 0  # the state holds at this offset of the buffer
        self.end = 0  # just after the last record end scanned: where the current record starts
        self.complete = 0  # whole records in buffer[:end]
        self.count = 0  # records ended since the start of the text
        self.state = OUTSIDE
        self.closed_at = 0  # CLOSED: the quoted cell's closing quote
        self.cell_start = 0  # OUTSIDE and LITERAL: where the current cell starts
        self.marks: list[Any] = []  # where a quote goes in for polars: around and in cells like 1/2" pipe
        self.visited = 0

    def feed(self, data: bytes) -> None:
        self.buffer += data
        self.visited += len(data)

    def skip(self, count: int) -> int:
        """Drop up to `count` whole records from the front (before any take); how many were dropped."""
        self._scan(stop=count)
        dropped = self.complete
        self._cut(self.end, keep=False)
        return dropped

    def take(self) -> bytes:
        """The whole records held, as one block."""
        self._scan()
        return self._cut(self.end)

    def finish(self) -> bytes:
        """At the end of the text: what is left, its last record without a line break included."""
        self._scan()
        if self.state == QUOTED:
            raise self._problem("open_quote", self.count + 1)
        if self.state == LITERAL:
            self._mark_ends(np.array([len(self.buffer)]))
            self.state = OUTSIDE
        if len(self.buffer) > self.end:
            self.count += 1
        return self._cut(len(self.buffer))

    # --- scanning ---------------------------------------------------------------------------------------

    def _scan(self, stop: int | None = None) -> None:
        """Scan what was fed (or only as far as `stop` whole records)."""
        while self.scanned < len(self.buffer) and (stop is None or self.complete < stop):
            self._scan_window(min(len(self.buffer), self.scanned + SCAN_WINDOW), stop)

    def _scan_window(self, stop_at: int, stop: int | None) -> None:
        """Scan buffer[scanned:stop_at]: the quote state machine over the window's quotes, then its
        record ends.

        Long because the loop's four states hand `state` and `i` to one another: split into functions,
        they would travel back and forth as arguments and results, once for every run of quotes, on
        the hottest loop of reading a CSV file."""
        start = self.scanned
        if self.state == LITERAL:  # a cell with a quote in it, begun in an earlier window: its end
            cell_end = self._cell_end(start, stop_at)
            self._mark_quotes(start, cell_end if cell_end >= 0 else stop_at)
            if cell_end < 0:
                self.scanned = stop_at
                self._check_open_record(stop_at)
                return
            self._mark_ends(np.array([cell_end]))
            self.state, self.cell_start, start = OUTSIDE, cell_end + 1, cell_end
        window = _Window(self, start, stop_at)
        quotes, n = window.quotes, len(window.quotes)
        literal = np.zeros(n, dtype=bool)
        entering, state, i = self.state, self.state, 0
        while i < n:
            if state == QUOTED:
                # This quote closes the cell; the next ones reopen it (`"ab"c"d`, as polars reads it)
                # or open another cell and close it, in turn, up to the first one of an unquoted cell.
                candidates = window.breaking((i + 1) % 2)
                k = int(np.searchsorted(candidates, i + 1))
                j = int(candidates[k]) if k < len(candidates) else n + 1 - (n - i) % 2
                if j > n:  # the last quote opens a cell
                    break
                state, self.closed_at, i = CLOSED, int(quotes[j - 1]), j
                continue
            if state == CLOSED and not self._boundary_between(self.closed_at + 1, int(quotes[i])):
                state, i = QUOTED, i + 1  # reopened, the closing quote in an earlier window
                continue
            if window.at_start(i):
                state, i = QUOTED, i + 1
                continue
            # a quote in an unquoted cell is a character, and so is every one up to a cell's start
            openers = window.openers()
            k = int(np.searchsorted(openers, i))
            k = int(openers[k]) if k < len(openers) else n
            literal[i:k] = True
            state, i = window.literal_cells(quotes[i:k]), k
        toggles = quotes[~literal] if literal.any() else quotes
        if stop is None and not len(toggles) and entering != QUOTED:
            self._plain_records(start, stop_at)  # no quoted cell: every line break ends a record
        else:
            ends = self._record_ends(start, stop_at, toggles, entering == QUOTED)
            if stop is not None and len(ends) >= stop - self.complete:
                ends = ends[: stop - self.complete]
                stop_at, state = int(ends[-1]) + 1, OUTSIDE
                self.marks = [marks[marks < stop_at] for marks in self.marks]
                self.cell_start = stop_at
            self._check_lengths(ends)
            if len(ends):
                self.end = int(ends[-1]) + 1
                self.count += len(ends)
                self.complete += len(ends)
        if state == CLOSED and self._boundary_between(self.closed_at + 1, stop_at):
            state = OUTSIDE
        if state == OUTSIDE and self.cell_start < stop_at:
            boundary = self._last_boundary(max(int(quotes[-1]) + 1 if n else start, self.cell_start), stop_at)
            if boundary >= 0:
                self.cell_start = boundary + 1
        self.state, self.scanned = state, stop_at
        self._check_open_record(stop_at)

    def _record_ends(self, start: int, stop_at: int, toggles: Any, quoted: bool) -> Any:
        """The window's line breaks outside quoted cells (`toggles`: the quotes that open or close one;
        `quoted`: whether one is open where the window starts)."""
        view = np.frombuffer(self.buffer, dtype=np.uint8)
        try:
            newlines = np.flatnonzero(view[start:stop_at] == NEWLINE) + start
        finally:
            del view  # the buffer cannot grow while numpy looks at it
        self.visited += stop_at - start + 2 * len(newlines)
        inside = (np.searchsorted(toggles, newlines) + quoted) % 2 == 1
        return newlines[~inside]

    def _plain_records(self, start: int, stop_at: int) -> None:
        """Count the records that end in a window without quoted cells; their lengths are checked a
        limit's worth at a time (the last line break within `limit` bytes of a record's start)."""
        record = self.end
        while record + self.limit < stop_at:
            newline = self.buffer.rfind(b"\n", max(record, start), record + self.limit + 1)
            self.visited += record + self.limit + 1 - (newline if newline >= 0 else max(record, start))
            if newline < 0:
                raise self._refusal(record, self.count + self.buffer.count(b"\n", start, record) + 1)
            record = newline + 1
        ended = self.buffer.count(b"\n", start, stop_at)
        self.visited += stop_at - start
        if ended:
            last = self.buffer.rfind(b"\n", start, stop_at)
            self.visited += stop_at - last
            self.end = last + 1
            self.count += ended
            self.complete += ended

    def _check_lengths(self, ends: Any) -> None:
        if not len(ends):
            return
        starts = np.empty(len(ends), dtype=np.int64)
        starts[0] = self.end
        starts[1:] = ends[:-1] + 1
        over = np.flatnonzero(ends - starts > self.limit)
        self.visited += 3 * len(ends)
        if len(over):
            first = int(over[0])
            raise self._refusal(int(starts[first]), self.count + first + 1)

    def _check_open_record(self, stop_at: int) -> None:
        if stop_at - self.end > self.limit:
            raise self._refusal(self.end, self.count + 1)

    def _refusal(self, start: int, row: int) -> FileProblem:
        """The problem of record `row`, at `start` and longer than the limit: is a quoted cell open at its
        limit-th byte?"""
        probe = CsvRecords(self.delimiter.decode(), limit=self.limit + 1)
        probe.feed(bytes(self.buffer[start : start + self.limit]))
        probe._scan()
        self.visited += probe.visited
        return self._problem("open_quote" if probe.state == QUOTED else "row_too_long", row)

    def _problem(self, code: str, row: int) -> FileProblem:

        megabytes = f"{self.limit / 1024 / 1024:.2f}".rstrip("0").rstrip(".")
        return FileProblem(code, row=row, limit=megabytes)

    # --- cells ------------------------------------------------------------------------------------------

    def _boundary_between(self, start: int, end: int) -> bool:
        """Whether a delimiter or a line break is in buffer[start:end]."""
        newline = self.buffer.find(b"\n", start, end)
        delimiter = self.buffer.find(self.delimiter, start, newline if newline >= 0 else end)
        self.visited += (newline if newline >= 0 else end) - start
        return newline >= 0 or delimiter >= 0

    def _last_boundary(self, floor: int, end: int) -> int:
        """The last delimiter or line break in buffer[floor:end], or -1."""
        delimiter = self.buffer.rfind(self.delimiter, floor, end)
        newline = self.buffer.rfind(b"\n", max(floor, delimiter), end)
        self.visited += end - max(floor, delimiter)
        return max(delimiter, newline)

    def _cell_end(self, start: int, end: int) -> int:
        """The first delimiter or line break in buffer[start:end], or -1."""
        newline = self.buffer.find(b"\n", start, end)
        delimiter = self.buffer.find(self.delimiter, start, newline if newline >= 0 else end)
        self.visited += (newline if newline >= 0 else end) - start
        return delimiter if delimiter >= 0 else newline

    def _mark_quotes(self, start: int, end: int) -> None:
        """Double the quotes in buffer[start:end], part of a cell like 1/2" pipe, for polars."""
        view = np.frombuffer(self.buffer, dtype=np.uint8)
        try:
            self.marks.append(np.flatnonzero(view[start:end] == QUOTE) + start)
        finally:
            del view
        self.visited += 2 * (end - start)

    def _mark_ends(self, ends: Any) -> None:
        """Close cells like 1/2" pipe with a quote before their ends (before the CR of a CRLF)."""
        view = np.frombuffer(self.buffer, dtype=np.uint8)
        try:
            inside = ends < len(view)
            crlf = np.zeros(len(ends), dtype=bool)
            crlf[inside] = (view[ends[inside]] == NEWLINE) & (view[ends[inside] - 1] == CR)
            crlf[~inside] = view[-1] == CR
        finally:
            del view
        self.marks.append(ends - crlf)
        self.visited += 2 * len(ends)

    def _cut(self, cut: int, *, keep: bool = True) -> bytes:
        """Remove buffer[:cut] and return it, with quotes around and in its cells like 1/2" pipe."""
        if not cut:  # no record ended: nothing to look at again
            return b""
        marks = np.sort(np.concatenate(self.marks)) if self.marks else np.zeros(0, dtype=np.int64)
        taken = int(np.searchsorted(marks, cut, side="right" if cut == len(self.buffer) else "left"))
        self.marks = [marks[taken:] - cut] if taken < len(marks) else []
        block = b""
        if keep:
            view = np.frombuffer(self.buffer, dtype=np.uint8)
            try:
                block = np.insert(view[:cut], marks[:taken], QUOTE).tobytes() if taken else bytes(view[:cut])
            finally:
                del view
            self.visited += len(block) + len(marks)
        del self.buffer[:cut]  # a bytearray drops its front without moving the rest
        self.scanned -= cut
        self.end = max(0, self.end - cut)
        self.closed_at -= cut
        self.cell_start = max(0, self.cell_start - cut)
        self.complete = 0
        return block


class _Window:
    """The quotes of buffer[start:stop_at], found with numpy, and classified when asked: whether one
    follows a delimiter or a line break, or starts the text (`at_start`, `openers`), and, for either
    parity, the quotes that end a run of quoted cells (`breaking`)."""

    def __init__(self, records: CsvRecords, start: int, stop_at: int) -> None:
        self.records, self.start, self.stop_at = records, start, stop_at
        self.boundaries: Any = None
        self.quotes = np.zeros(0, dtype=np.int64)
        self._openers: Any = None
        self._breaking: dict[int, Any] = {}
        hit = records.buffer.find(b'"', start, stop_at)
        records.visited += (hit + 1 if hit >= 0 else stop_at) - start
        if hit < 0:
            return
        view = np.frombuffer(records.buffer, dtype=np.uint8)
        try:
            self.quotes = np.flatnonzero(view[hit:stop_at] == QUOTE) + hit
        finally:
            del view  # the buffer cannot grow while numpy looks at it
        records.visited += (stop_at - hit) + len(self.quotes)

    def at_start(self, i: int) -> bool:
        q = int(self.quotes[i])
        return q == 0 or self.records.buffer[q - 1] in (self.records.delimiter[0], NEWLINE)

    def _at_start(self, indexes: Any) -> Any:
        """Whether these quotes follow a delimiter or a line break, or start the text."""
        view = np.frombuffer(self.records.buffer, dtype=np.uint8)
        try:
            quotes = self.quotes[indexes]
            before = view[quotes - 1]  # a quote at 0 gets the last byte: set right below
        finally:
            del view
        self.records.visited += 4 * len(indexes)
        found = (before == self.records.delimiter[0]) | (before == NEWLINE)
        return found | (quotes == 0) if len(quotes) and quotes[0] == 0 else found

    def breaking(self, parity: int) -> Any:
        """The indexes of that parity of the quotes that end a run of quoted cells: they follow neither a
        delimiter, a line break nor the quote before them, and a delimiter or a line break lies between
        that one and them (else they reopen the cell it closed). Found when first asked; in a well-formed
        file there are none, the quotes that open cells following delimiters and line breaks."""
        if parity not in self._breaking:
            indexes = np.arange(2 - parity, len(self.quotes), 2)  # not 0: the quote before is unknown
            candidates = indexes[~self._at_start(indexes)]
            candidates = candidates[self.quotes[candidates] - self.quotes[candidates - 1] != 1]
            if len(candidates):
                boundaries = self.boundaries_of_window()
                after = np.searchsorted(boundaries, self.quotes[candidates])
                before = np.searchsorted(boundaries, self.quotes[candidates - 1])
                candidates = candidates[after > before]
                self.records.visited += 4 * len(after)
            self.records.visited += 3 * len(indexes)
            self._breaking[parity] = candidates
        return self._breaking[parity]

    def openers(self) -> Any:
        """The indexes of the quotes that follow a delimiter or a line break (found when first asked)."""
        if self._openers is None:
            self._openers = np.flatnonzero(self._at_start(np.arange(len(self.quotes))))
            self.records.visited += len(self.quotes)
        return self._openers

    def boundaries_of_window(self) -> Any:
        """The window's delimiters and line breaks (found once)."""
        if self.boundaries is None:
            view = np.frombuffer(self.records.buffer, dtype=np.uint8)
            try:
                part = view[self.start : self.stop_at]
                found = np.flatnonzero((part == self.records.delimiter[0]) | (part == NEWLINE))
            finally:
                del view, part
            self.boundaries = found + self.start
            self.records.visited += 3 * (self.stop_at - self.start) + len(found)
        return self.boundaries

    def literal_cells(self, quotes: Any) -> int:
        """Mark the unquoted cells that have these quotes as characters, to be quoted for polars; the
        state after them: LITERAL if the last of them goes on past the window, else OUTSIDE."""
        records, boundaries = self.records, self.boundaries_of_window()
        after = np.searchsorted(boundaries, quotes)
        before = boundaries[np.maximum(after - 1, 0)] + 1 if len(boundaries) else after
        starts = np.where(after > 0, before, records.cell_start)
        first = np.ones(len(quotes), dtype=bool)
        first[1:] = starts[1:] != starts[:-1]
        starts, after = starts[first], after[first]
        records.visited += 4 * len(quotes)
        ended = after < len(boundaries)
        records.marks += [starts, quotes]
        records._mark_ends(boundaries[after[ended]])
        if ended.all():
            return OUTSIDE
        records.cell_start = int(starts[-1])
        return LITERAL
