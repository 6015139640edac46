//! Tests of the template renderer. `support` holds the `FunctionCaller` test
//! double and the Appendix B context.

mod appendix_b;
mod fuzz;
mod quirks;
mod request;
mod simple;
mod support;
