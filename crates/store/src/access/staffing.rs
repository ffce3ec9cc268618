//! (issue 6: staffing — being written)
