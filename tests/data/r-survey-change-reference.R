# Reference values for the design-based change test (tests/test_design.py):
#   Rscript tests/data/r-survey-change-reference.R > tests/data/r-survey-change-reference.csv
# R 4.2.2, survey 4.1-1 (Debian r-cran-survey). Data: the SYNTHETIC samples tests/data/synthetic-design-cases-*.csv.
# For each prompt answered at both inspections and each design ("wr": with replacement, weights only;
# "fpc": stratum sampling fraction as finite population correction), officers as ultimate clusters:
#   z = (p_current - p_previous) / sqrt(SE_previous^2 + SE_current^2)          (the unpooled design test)
#   deff_used = SE^2 / (p (1 - p) f / n), f = 1 - n / sum(weights) with fpc, 1 without
#               (the variance factor the design test applies over the simple test's SRS variance)
library(survey)
options(digits=17)
est <- list()
for (insp in c("current","previous")) {
  d0 <- read.csv(sprintf("tests/data/synthetic-design-cases-%s.csv", insp), check.names=FALSE, stringsAsFactors=FALSE)
  prompts <- names(d0)[6:ncol(d0)]
  for (p in prompts) d0[[p]] <- ifelse(d0[[p]]=="Yes",1,ifelse(d0[[p]]=="No",0,NA))
  nh <- table(d0$stratum); d0$n_h <- as.numeric(nh[d0$stratum]); d0$f_h <- d0$n_h/d0$stratum_population; d0$w <- d0$stratum_population/d0$n_h
  pv <- paste0("p", gsub(".", "_", prompts, fixed=TRUE))
  names(d0)[6:(5+length(prompts))] <- pv
  designs <- list(fpc=svydesign(ids=~officer, strata=~stratum, fpc=~f_h, nest=TRUE, data=d0),
                  wr=svydesign(ids=~officer, strata=~stratum, weights=~w, nest=TRUE, data=d0))
  for (des in names(designs)) for (i in seq_along(pv)) {
    S <- eval(bquote(subset(designs[[des]], !is.na(.(as.name(pv[i]))))))
    m <- svymean(as.formula(paste0("~", pv[i])), S)
    n <- sum(weights(S) != 0); N <- sum(weights(S))
    est[[paste(insp, des, prompts[i])]] <- c(coef(m), SE(m), n, N)
  }
}
cat("design,prompt,z,deff_used_previous,deff_used_current\n")
for (des in c("wr","fpc")) for (key in names(est)) {
  parts <- strsplit(key, " ")[[1]]
  if (parts[1] != "current" || parts[2] != des) next
  prev <- est[[paste("previous", des, parts[3])]]
  if (is.null(prev)) next
  cur <- est[[key]]
  used <- function(e) { f <- if (des == "fpc") 1 - e[3] / e[4] else 1; e[2]^2 / (e[1] * (1 - e[1]) * f / e[3]) }
  cat(sprintf("%s,%s,%.17g,%.17g,%.17g\n", des, parts[3], (cur[1] - prev[1]) / sqrt(prev[2]^2 + cur[2]^2), used(prev), used(cur)))
}
