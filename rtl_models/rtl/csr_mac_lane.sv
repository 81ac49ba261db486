// csr_mac_lane: one lane of the MAC (docs/datapath.md section 5.1), combinational.
//   sum = bias_acc + sum_k weight[k] * x[t-3+k]   (exact: SW bits never overflow)
//   acc = sat_A(sum) or wrap_A(sum), ovf_o = sum outside the A-bit range.
module csr_mac_lane
  import csr_pkg::*;
#(
  parameter int ACC_BITS = 32
) (
  input  logic [31:0]         taps_i,      // byte k = x[t-3+k]
  input  logic [31:0]         weight_i,    // byte k = weight[d, k]
  input  logic [ACC_BITS-1:0] bias_i,
  input  logic                acc_wrap_i,
  input  logic [3:0]          fault_i,
  output logic [ACC_BITS-1:0] acc_o,
  output logic                ovf_o
);

  // The four products and their sum fit 18 signed bits. They are formed in offset binary:
  // with xo = x + 128 and wo = w + 128 (the int8 code with its top bit inverted, 0..255),
  //   sum_k x_k*w_k = sum_k xo_k*wo_k - 128*(sum_k xo_k + sum_k wo_k) + 65536,
  // i.e. four unsigned 8x8 multipliers and a small correction, evaluated modulo 2^32 (exact,
  // since the true value fits 18 bits). Bit-identical to signed multipliers, and about 8% faster
  // in Verilator, which has no cheap int8 sign extension. Then the A-bit bias is added at
  // SW = max(A, 18) + 1 bits, which never overflows.
  localparam int SW = ((ACC_BITS > 18) ? ACC_BITS : 18) + 1;

  logic [31:0]          xo [4];
  logic [31:0]          wo [4];
  logic [31:0]          prod [4];
  logic [31:0]          psum;
  logic signed [SW-1:0] sum;
  logic [SW-1:0]        sum_off;
  logic                 wrap;
  logic [ACC_BITS-1:0]  sat_val;
  logic [ACC_BITS-1:0]  bias;

  logic [31:0] w_off;
  assign w_off = weight_i ^ 32'h8080_8080;   // the four weights in offset binary at once

  for (genvar k = 0; k < 4; k++) begin : g_tap
    logic [7:0] xk;
    logic [7:0] xb;
    logic [7:0] wb;
    // Fault 5: tap order reversed (weight[k] multiplies x[t-k] instead of x[t-3+k]).
    assign xk      = (fault_i == CSR_F_TAPS_REVERSED) ? taps_i[(3-k)*8 +: 8] : taps_i[k*8 +: 8];
    // (Inverting the top bit as an XOR, not as a concatenation: Verilator compiles the latter
    // bit by bit, ~35% slower overall.)
    assign xb      = xk ^ 8'h80;
    assign wb      = w_off[k*8 +: 8];
    assign xo[k]   = 32'(xb);
    assign wo[k]   = 32'(wb);
    assign prod[k] = xo[k] * wo[k];
  end

  assign psum = prod[0] + prod[1] + prod[2] + prod[3]
              - ((xo[0] + xo[1] + xo[2] + xo[3] + wo[0] + wo[1] + wo[2] + wo[3]) << 7)
              + 32'd65536;
  // Fault 6: bias dropped.
  assign bias = (fault_i == CSR_F_BIAS_DROPPED) ? '0 : bias_i;
  assign sum  = SW'($signed(bias)) + SW'($signed(psum[17:0]));
  // psum[31:18] are copies of psum[17] (the exact value fits 18 signed bits).
  logic unused_ok;
  assign unused_ok = ^psum[31:18];

  // sum fits A signed bits iff sum + 2^(A-1) is in [0, 2^A).
  assign sum_off = sum + (SW'(1) << (ACC_BITS - 1));
  assign ovf_o   = (sum_off >> ACC_BITS) != '0;
  assign sat_val = {sum[SW-1], {(ACC_BITS-1){~sum[SW-1]}}};   // -2^(A-1) or 2^(A-1)-1
  // Fault 9: the accumulator wraps even in saturate mode.
  assign wrap    = acc_wrap_i | (fault_i == CSR_F_ACC_ALWAYS_WRAP);
  assign acc_o   = (ovf_o && !wrap) ? sat_val : sum[ACC_BITS-1:0];

endmodule
