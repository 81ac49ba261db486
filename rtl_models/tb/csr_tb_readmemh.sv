// csr_tb_readmemh: self-checking pure-Verilog testbench of csr_top on one golden layer folder
// (vectors/README.md layout). It $readmemh's x.hex, weight.hex, bias_acc.hex, mult.hex,
// shift.hex, silu_lut.hex and y.hex (and acc.hex / index.hex when present, for the mismatch
// report), programs the DUT through its config port, streams every beat (for each b, each
// channel group, t = 0..L-1) with LFSR-driven input bubbles and output back-pressure, checks
// every output code against y.hex, prints the first MAX_REPORT mismatches with b/d/t/expected/
// actual, and ends with "PASS ..." ($finish) or "FAIL ..." ($fatal, non-zero exit).
//
// Shapes and widths are parameters (memories are sized from them); the folder is a plusarg:
//   +layer=<dir>        the layer folder (default ".")
// Build and run with rtl_models/tb/run_readmemh_tb.sh, which reads B, D, L and the knobs from
// the folder's params.json / manifest.json or takes them on its command line.
// D need not be a multiple of LANES: the padding lanes of the last group carry x = 0 and are
// not checked.
module csr_tb_readmemh #(
  parameter int    B              = 1,
  parameter int    D              = 16,
  parameter int    L              = 8,
  parameter int    LANES          = 16,
  parameter int    ACC_BITS       = 32,
  parameter int    MULT_BITS      = 16,
  parameter int    LUT_INDEX_BITS = 10,
  parameter int    OUT_BITS       = 8,
  parameter int    ROUNDING       = 0,     // 0 half-away, 1 half-even, 2 half-up, 3 truncate
  parameter int    ACC_WRAP       = 0,     // 0 saturate, 1 wrap
  parameter int    D_MAX          = 8192,
  parameter int    FAULT          = 0,     // plant a fault in the DUT (to see the TB catch it)
  parameter        LUT_INIT_FILE  = "",    // given: the DUT $readmemh's the table itself
  parameter int    BACKPRESSURE   = 1,     // 0: no bubbles, no output stalls
  parameter int    MAX_REPORT     = 10
);

  localparam int N       = LUT_INDEX_BITS;
  localparam int W       = OUT_BITS;
  localparam int G       = (D + LANES - 1) / LANES;
  localparam int DPAD    = G * LANES;
  localparam int NX      = B * D * L;
  localparam int XA      = (NX > 1) ? $clog2(NX) : 1;
  localparam int NBEATS  = B * G * L;
  localparam int ENTRIES = 1 << N;
  localparam int CH_BITS = (D_MAX > 1) ? $clog2(D_MAX) : 1;
  // $readmemh words are ceil(bits/4) hex digits; each memory has one more bit, a sentinel
  // that is set in the last word before loading and must be clear afterwards (file too short).
  localparam int MWD     = ((MULT_BITS + 3) / 4) * 4;
  localparam int WWD     = ((W + 3) / 4) * 4;
  localparam int NWD     = ((N + 3) / 4) * 4;
  localparam int NCFG    = 4 * DPAD + ((LUT_INIT_FILE == "") ? ENTRIES : 0);
  localparam longint MAX_CYCLES = 64'd1000 + 64'd64 * NCFG + 64'd16 * NBEATS;

  // ---- golden data ----
  logic [8:0]     x_mem     [NX];
  logic [8:0]     w_mem     [D * 4];
  logic [32:0]    bias_mem  [D];
  logic [MWD:0]   mult_mem  [D];
  logic [8:0]     shift_mem [D];
  logic [WWD:0]   lut_mem   [ENTRIES];
  logic [WWD:0]   y_mem     [NX];
  logic [32:0]    acc_mem   [NX];
  logic [NWD:0]   idx_mem   [NX];
  bit             have_acc;
  bit             have_idx;
  string          dir;

  function automatic bit file_exists(input string path);
    int fd;
    fd = $fopen(path, "r");
    if (fd == 0) return 0;
    $fclose(fd);
    return 1;
  endfunction

  task automatic need(input string name);
    if (!file_exists({dir, "/", name})) $fatal(1, "FAIL: cannot open %s/%s", dir, name);
  endtask

  initial begin
    if (!$value$plusargs("layer=%s", dir)) dir = ".";
    $display("csr_tb_readmemh: layer %s  B=%0d D=%0d L=%0d  LANES=%0d A=%0d Wm=%0d N=%0d W=%0d ROUNDING=%0d ACC_WRAP=%0d FAULT=%0d BACKPRESSURE=%0d",
             dir, B, D, L, LANES, ACC_BITS, MULT_BITS, N, W, ROUNDING, ACC_WRAP, FAULT, BACKPRESSURE);
    if (LUT_INIT_FILE != "") $display("csr_tb_readmemh: SiLU table from LUT_INIT_FILE %s", LUT_INIT_FILE);
    need("x.hex"); need("weight.hex"); need("bias_acc.hex"); need("mult.hex");
    need("shift.hex"); need("silu_lut.hex"); need("y.hex");
    x_mem[NX - 1] = '1;       w_mem[D * 4 - 1] = '1;   bias_mem[D - 1] = '1;
    mult_mem[D - 1] = '1;     shift_mem[D - 1] = '1;   lut_mem[ENTRIES - 1] = '1;
    y_mem[NX - 1] = '1;       acc_mem[NX - 1] = '1;    idx_mem[NX - 1] = '1;
    $readmemh({dir, "/x.hex"}, x_mem);
    $readmemh({dir, "/weight.hex"}, w_mem);
    $readmemh({dir, "/bias_acc.hex"}, bias_mem);
    $readmemh({dir, "/mult.hex"}, mult_mem);
    $readmemh({dir, "/shift.hex"}, shift_mem);
    $readmemh({dir, "/silu_lut.hex"}, lut_mem);
    $readmemh({dir, "/y.hex"}, y_mem);
    have_acc = file_exists({dir, "/acc.hex"});
    have_idx = file_exists({dir, "/index.hex"});
    if (have_acc) $readmemh({dir, "/acc.hex"}, acc_mem);
    if (have_idx) $readmemh({dir, "/index.hex"}, idx_mem);
    if (x_mem[NX - 1][8])            $fatal(1, "FAIL: x.hex has fewer than B*D*L = %0d words", NX);
    if (w_mem[D * 4 - 1][8])         $fatal(1, "FAIL: weight.hex has fewer than D*4 = %0d words", D * 4);
    if (bias_mem[D - 1][32])         $fatal(1, "FAIL: bias_acc.hex has fewer than D = %0d words", D);
    if (mult_mem[D - 1][MWD])        $fatal(1, "FAIL: mult.hex has fewer than D = %0d words", D);
    if (shift_mem[D - 1][8])         $fatal(1, "FAIL: shift.hex has fewer than D = %0d words", D);
    if (lut_mem[ENTRIES - 1][WWD])   $fatal(1, "FAIL: silu_lut.hex has fewer than 2^N = %0d words", ENTRIES);
    if (y_mem[NX - 1][WWD])          $fatal(1, "FAIL: y.hex has fewer than B*D*L = %0d words", NX);
    if (have_acc && acc_mem[NX - 1][32]) have_acc = 0;
    if (have_idx && idx_mem[NX - 1][NWD]) have_idx = 0;
  end

  // ---- clock, DUT ----
  logic clk = 1'b0;
  initial forever #5 clk = ~clk;   // time unit: --timescale 1ns/1ps (run_readmemh_tb.sh)

  logic                       rst_n_q = 1'b0;
  logic                       cfg_we_q = 1'b0;
  logic [2:0]                 cfg_sel_q = '0;
  logic [31:0]                cfg_addr_q = '0;
  logic [31:0]                cfg_wdata_q = '0;
  logic                       in_valid_q = 1'b0;
  logic                       in_ready;
  logic [LANES*8-1:0]         x_q = '0;
  logic [CH_BITS-1:0]         ch_q = '0;
  logic                       sos_q = 1'b0;
  logic                       out_valid;
  logic                       out_ready_q = 1'b0;
  logic [LANES*W-1:0]         y;
  logic [CH_BITS-1:0]         ch_base;
  logic                       sos;
  logic [LANES*ACC_BITS-1:0]  dbg_acc;
  logic [LANES-1:0]           dbg_acc_ovf;
  logic [LANES*N-1:0]         dbg_idx;
  logic [LANES-1:0]           dbg_idx_sat;

  csr_top #(
    .LANES(LANES), .ACC_BITS(ACC_BITS), .MULT_BITS(MULT_BITS), .LUT_INDEX_BITS(N),
    .OUT_BITS(W), .ROUNDING(ROUNDING), .ACC_WRAP(ACC_WRAP), .D_MAX(D_MAX), .FAULT(FAULT),
    .LUT_INIT_FILE(LUT_INIT_FILE)
  ) dut (
    .clk_i         (clk),
    .rst_n_i       (rst_n_q),
    .cfg_we_i      (cfg_we_q),
    .cfg_sel_i     (cfg_sel_q),
    .cfg_addr_i    (cfg_addr_q),
    .cfg_wdata_i   (cfg_wdata_q),
    .fault_sel_i   (4'd0),
    .in_valid_i    (in_valid_q),
    .in_ready_o    (in_ready),
    .x_i           (x_q),
    .ch_base_i     (ch_q),
    .sos_i         (sos_q),
    .out_valid_o   (out_valid),
    .out_ready_i   (out_ready_q),
    .y_o           (y),
    .ch_base_o     (ch_base),
    .sos_o         (sos),
    .dbg_acc_o     (dbg_acc),
    .dbg_acc_ovf_o (dbg_acc_ovf),
    .dbg_idx_o     (dbg_idx),
    .dbg_idx_sat_o (dbg_idx_sat)
  );

  // ---- LFSRs (x^16 + x^14 + x^13 + x^11 + 1, Galois) for bubbles, stalls and idle junk ----
  function automatic logic [15:0] lfsr_next(input logic [15:0] s);
    return s[0] ? ((s >> 1) ^ 16'hB400) : (s >> 1);
  endfunction
  logic [15:0] lfsr_in_q  = 16'hACE1;
  logic [15:0] lfsr_out_q = 16'h1D2B;

  // ---- sequencing: reset, config writes, streaming ----
  typedef enum logic [1:0] {PH_RESET, PH_CFG, PH_RUN, PH_DONE} phase_e;
  phase_e      phase_q = PH_RESET;
  int          rst_cnt_q = 0;
  int          cfg_idx_q = 0;
  longint      cycle_q = 0;

  // The beat presented next: (nb, ng, nt); beat k in stream order.
  int          cb_q = 0, cg_q = 0, ct_q = 0;     // beat being presented / next to present
  longint      sent_q = 0;
  int          ob_q = 0, og_q = 0, ot_q = 0;     // next beat expected at the output
  longint      got_q = 0;
  longint      mism_q = 0;
  longint      tag_err_q = 0;

  // Config write number idx: {sel, addr, data}.
  function automatic logic [66:0] cfg_word(input int idx);
    int d;
    logic [2:0] sel;
    logic [31:0] addr;
    logic [31:0] data;
    if (idx < 4 * DPAD) begin
      d = idx / 4;
      sel = 3'(idx % 4);   // 0 weight, 1 bias, 2 mult, 3 shift
      addr = 32'(d);
      if (d >= D) data = '0;
      else begin
        unique case (idx % 4)
          0: data = {w_mem[d * 4 + 3][7:0], w_mem[d * 4 + 2][7:0], w_mem[d * 4 + 1][7:0], w_mem[d * 4][7:0]};
          1: data = bias_mem[d][31:0];
          2: data = 32'(mult_mem[d][MULT_BITS-1:0]);
          default: data = 32'(shift_mem[d][5:0]);
        endcase
      end
    end else begin
      sel = 3'd4;            // SiLU table
      addr = 32'(idx - 4 * DPAD);
      data = 32'(lut_mem[idx - 4 * DPAD][W-1:0]);
    end
    return {sel, addr, data};
  endfunction

  function automatic logic [LANES*8-1:0] beat_x(input int b, input int g, input int t);
    logic [LANES*8-1:0] v;
    int d;
    for (int l = 0; l < LANES; l++) begin
      d = g * LANES + l;
      v[l*8 +: 8] = (d < D) ? x_mem[(b * D + d) * L + t][7:0] : 8'd0;
    end
    return v;
  endfunction

  // Advance (b, g, t) to the next beat in stream order.
  task automatic step(inout int b, inout int g, inout int t);
    if (t == L - 1) begin
      t = 0;
      if (g == G - 1) begin g = 0; b = b + 1; end
      else g = g + 1;
    end else t = t + 1;
  endtask

  always_ff @(posedge clk) begin
    logic [2:0]  sel;
    logic [31:0] addr;
    logic [31:0] data;
    int          nb, ng, nt;
    logic        bubble;
    logic        fire_in;

    cycle_q <= cycle_q + 1;
    if (cycle_q > MAX_CYCLES) begin
      $display("FAIL %s: timeout after %0d cycles, %0d of %0d beats sent, %0d received, %0d mismatches",
               dir, cycle_q, sent_q, NBEATS, got_q, mism_q);
      $fatal(1, "FAIL: timeout");
    end

    unique case (phase_q)
      PH_RESET: begin
        rst_cnt_q <= rst_cnt_q + 1;
        if (rst_cnt_q == 3) rst_n_q <= 1'b1;
        if (rst_cnt_q == 5) phase_q <= PH_CFG;
      end

      PH_CFG: begin
        if (cfg_idx_q < NCFG) begin
          {sel, addr, data} = cfg_word(cfg_idx_q);
          cfg_we_q    <= 1'b1;
          cfg_sel_q   <= sel;
          cfg_addr_q  <= addr;
          cfg_wdata_q <= data;
          cfg_idx_q   <= cfg_idx_q + 1;
        end else begin
          cfg_we_q <= 1'b0;
          phase_q  <= PH_RUN;
          $display("csr_tb_readmemh: %0d config writes done at cycle %0d, streaming %0d beats",
                   NCFG, cycle_q, NBEATS);
        end
      end

      PH_RUN: begin
        // -- input side: valid stays up until the beat is taken (in_ready is a DUT register) --
        fire_in = in_valid_q && in_ready;
        nb = cb_q; ng = cg_q; nt = ct_q;
        if (fire_in) begin
          step(nb, ng, nt);
          cb_q <= nb; cg_q <= ng; ct_q <= nt;
          sent_q <= sent_q + 1;
        end
        if (!in_valid_q || fire_in) begin
          lfsr_in_q <= lfsr_next(lfsr_in_q);
          bubble = (BACKPRESSURE != 0) && (lfsr_in_q[2:0] == 3'd0);
          if ((sent_q + (fire_in ? 1 : 0)) < longint'(NBEATS) && !bubble) begin
            in_valid_q <= 1'b1;
            x_q        <= beat_x(nb, ng, nt);
            ch_q       <= CH_BITS'(ng * LANES);
            sos_q      <= (nt == 0);
          end else begin
            in_valid_q <= 1'b0;
            x_q        <= {(LANES * 8 / 8){lfsr_in_q[7:0]}};   // junk on an idle bus
          end
        end

        // -- output side --
        lfsr_out_q  <= lfsr_next(lfsr_out_q);
        out_ready_q <= (BACKPRESSURE == 0) || (lfsr_out_q[1:0] != 2'd0);
        if (out_valid && out_ready_q) begin
          if (32'(ch_base) != 32'(og_q * LANES) || sos != (ot_q == 0)) begin
            tag_err_q <= tag_err_q + 1;
            if (tag_err_q < longint'(MAX_REPORT))
              $display("MISMATCH beat %0d (b=%0d g=%0d t=%0d): ch_base_o=%0d sos_o=%0d, expected %0d %0d",
                       got_q, ob_q, og_q, ot_q, ch_base, sos, og_q * LANES, ot_q == 0);
          end
          begin
            longint m;
            m = mism_q;
            for (int l = 0; l < LANES; l++) begin
              int d;
              logic [XA-1:0] e;   // element index (b*D + d)*L + t
              logic [W-1:0] exp_y, got_y;
              d = og_q * LANES + l;
              if (d < D) begin
                e = XA'((ob_q * D + d) * L + ot_q);
                exp_y = y_mem[e][W-1:0];
                got_y = y[l*W +: W];
                if (exp_y !== got_y) begin
                  if (m < longint'(MAX_REPORT)) begin
                    string sa, si;
                    sa = $sformatf("acc actual %0d", $signed(dbg_acc[l*ACC_BITS +: ACC_BITS]));
                    if (dbg_acc_ovf[l]) sa = {sa, " (overflow)"};
                    if (have_acc) sa = {sa, $sformatf(" expected %0d", $signed(acc_mem[e][31:0]))};
                    si = $sformatf("idx actual %0d", $signed(dbg_idx[l*N +: N]));
                    if (dbg_idx_sat[l]) si = {si, " (saturated)"};
                    if (have_idx) si = {si, $sformatf(" expected %0d", $signed(idx_mem[e][N-1:0]))};
                    $display("MISMATCH b=%0d d=%0d t=%0d: expected y=%0d actual y=%0d | %s | %s",
                             ob_q, d, ot_q, $signed(exp_y), $signed(got_y), sa, si);
                  end
                  m = m + 1;
                end
              end
            end
            mism_q <= m;
          end
          nb = ob_q; ng = og_q; nt = ot_q;
          step(nb, ng, nt);
          ob_q <= nb; og_q <= ng; ot_q <= nt;
          got_q <= got_q + 1;
          if (got_q + 1 == longint'(NBEATS)) phase_q <= PH_DONE;
        end
      end

      default: begin  // PH_DONE
        in_valid_q <= 1'b0;
        if (mism_q == 0 && tag_err_q == 0) begin
          $display("PASS %s: %0d outputs (%0d beats) match y.hex, %0d cycles", dir, NX, NBEATS, cycle_q);
          $finish;
        end else begin
          $display("FAIL %s: %0d of %0d outputs differ from y.hex, %0d beat tag errors", dir, mism_q, NX,
                   tag_err_q);
          $fatal(1, "FAIL: %0d mismatches", mism_q);
        end
      end
    endcase
  end

endmodule
