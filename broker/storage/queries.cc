#include "broker/storage/queries.h"

namespace loyalty::broker {

const std::vector<NamedQuery>& AllQueries() {
  static const std::vector<NamedQuery> kQueries = {
      {q::kStoreByKeyHash,
       // A rotated-out key is valid until it expires: the seconds it has left.
       "SELECT store_id, extract(epoch FROM expires_at - now())::float8 FROM api_keys "
       "WHERE key_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())"},
      {q::kProgramsOfStore,
       "SELECT program_id, code, vendor, base_url, required, settings::text AS settings, "
       "credentials::text AS credentials, array_to_json(uses)::text AS uses, "
       "switched_off_at IS NOT NULL AS switched_off "
       "FROM programs WHERE store_id = $1 AND enabled ORDER BY position, program_id"},
      {q::kUpsertStore,
       "INSERT INTO stores (store_id, name) VALUES ($1, $2) "
       "ON CONFLICT (store_id) DO UPDATE SET name = EXCLUDED.name"},
      {q::kUpsertProgram,
       "INSERT INTO programs (store_id, code, vendor, position, base_url, required, settings, "
       "credentials, enabled, uses) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, true, "
       "ARRAY(SELECT jsonb_array_elements_text($9::jsonb))) "
       "ON CONFLICT (store_id, code) DO UPDATE SET vendor = EXCLUDED.vendor, "
       "position = EXCLUDED.position, base_url = EXCLUDED.base_url, required = EXCLUDED.required, "
       "settings = EXCLUDED.settings, credentials = EXCLUDED.credentials, enabled = true, "
       "uses = EXCLUDED.uses"},
      {q::kUpsertApiKey,
       "INSERT INTO api_keys (key_hash, store_id, label) VALUES ($1, $2, $3) "
       // A revoked key stays revoked: the answer says so.
       "ON CONFLICT (key_hash) DO UPDATE SET label = EXCLUDED.label "
       "RETURNING revoked_at IS NOT NULL"},
      {q::kRevokeKeysGoneFromFile,
       "UPDATE api_keys SET revoked_at = now(), revoked_reason = 'gone from the stores file' "
       "WHERE store_id = $1 AND source = 'stores_file' AND revoked_at IS NULL "
       "AND NOT (key_hash = ANY ($2::text[]))"},

      {q::kInsertQuote,
       "INSERT INTO quotes (store_id, customer_kind, customer_value, total_before_minor, "
       "discount_minor, total_minor, spendable_centipoints, earn_centipoints, coupons, expires_at) "
       "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text[], now() + make_interval(secs => $10)) "
       "RETURNING quote_id::text, extract(epoch FROM expires_at)::bigint"},
      {q::kInsertQuoteLine,
       "INSERT INTO quote_lines (quote_id, line_no, sku, barcode, quantity_milli, "
       "unit_price_minor, min_unit_price_minor, total_before_minor, discount_minor, total_minor, "
       "min_total_minor) VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"},
      {q::kInsertQuoteProgram,
       "INSERT INTO quote_programs (quote_id, program_id, used, skip_reason, vendor_customer_id, "
       "discount_minor, spendable_centipoints, earn_centipoints, vendor_reference, explanation, "
       "ledger_held_centipoints, unreachable, balance_centipoints) "
       "VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::bigint)"},
      {q::kInsertQuoteLineDiscount,
       "INSERT INTO quote_line_discounts (quote_id, line_no, program_id, campaign, amount_minor, "
       "campaign_code, coupon) VALUES ($1::uuid, $2, $3, $4, $5, $6, $7)"},
      {q::kQuoteById,
       "SELECT quote_id::text, customer_kind, customer_value, total_before_minor, discount_minor, "
       "total_minor, spendable_centipoints, earn_centipoints, array_to_json(coupons)::text, "
       "extract(epoch FROM expires_at)::bigint, expires_at > now() "
       "FROM quotes WHERE quote_id = $1::uuid AND store_id = $2"},
      {q::kQuoteLines,
       "SELECT line_no, sku, barcode, quantity_milli, unit_price_minor, min_unit_price_minor, "
       "total_before_minor, discount_minor, min_total_minor FROM quote_lines "
       "WHERE quote_id = $1::uuid ORDER BY line_no"},
      {q::kQuotePrograms,
       "SELECT program_id, used, coalesce(skip_reason, ''), coalesce(vendor_customer_id, ''), "
       "discount_minor, spendable_centipoints, earn_centipoints, coalesce(vendor_reference, ''), "
       "coalesce(explanation, ''), ledger_held_centipoints, unreachable, "
       "coalesce(balance_centipoints::text, '') FROM quote_programs "
       "WHERE quote_id = $1::uuid"},
      {q::kQuoteLineDiscounts,
       "SELECT line_no, program_id, campaign, amount_minor, coalesce(campaign_code, ''), "
       "coalesce(coupon, '') FROM quote_line_discounts "
       "WHERE quote_id = $1::uuid ORDER BY line_no, program_id"},

      {q::kInsertHold,
       "INSERT INTO holds (store_id, program_id, quote_id, vendor_customer_id, amount_centipoints, "
       "mode, status, expires_at) VALUES ($1, $2, $3::uuid, $4, $5, $6, 'active', "
       "to_timestamp($7)) RETURNING hold_id::text"},
      {q::kHoldById,
       "SELECT hold_id::text, store_id, program_id, quote_id::text, vendor_customer_id, "
       "amount_centipoints, mode, "
       "CASE WHEN status = 'active' AND expires_at <= now() THEN 'expired' ELSE status END, "
       "extract(epoch FROM expires_at)::bigint "
       "FROM holds WHERE hold_id = $1::uuid AND store_id = $2"},
      {q::kCloseHold,
       "UPDATE holds SET status = $3, closed_at = now(), purchase_id = $4 "
       "WHERE hold_id = $1::uuid AND store_id = $2 AND status = 'active'"},
      {q::kActiveHeldAmount,
       "SELECT coalesce(sum(amount_centipoints), 0)::bigint FROM holds "
       "WHERE program_id = $1 AND vendor_customer_id = $2 AND status = 'active' "
       "AND expires_at > now() AND ($3::uuid IS NULL OR quote_id = $3::uuid)"},
      {q::kExpireHolds,
       "UPDATE holds SET status = 'expired', closed_at = now() "
       "WHERE status = 'active' AND expires_at <= now()"},

      {q::kLinkHold,
       "UPDATE holds SET purchase_id = $3 WHERE hold_id = $1::uuid AND store_id = $2 "
       "AND status = 'active'"},
      {q::kInsertPurchase,
       "INSERT INTO purchases (store_id, order_number, quote_id, idempotency_key, status, "
       "total_before_minor, discount_minor, total_minor, spent_centipoints, paid_minor) "
       "VALUES ($1, $2, $3::uuid, $4, 'pending', $5, $6, $7, $8, $9) "
       "ON CONFLICT (store_id, order_number) DO NOTHING RETURNING purchase_id"},
      {q::kRetryPurchase,
       "UPDATE purchases SET quote_id = $3::uuid, idempotency_key = $4, status = 'pending', "
       "total_before_minor = $5, discount_minor = $6, total_minor = $7, spent_centipoints = $8, "
       "paid_minor = $9, earned_centipoints = 0, failure_reason = NULL, "
       "attempts = attempts + 1, updated_at = now() "
       "WHERE store_id = $1 AND order_number = $2 AND status IN ('failed', 'declined') "
       // Not while a vendor still has to undo the failed attempt's booking.
       "AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.purchase_id = purchases.purchase_id "
       "AND o.status IN ('waiting', 'sending')) RETURNING purchase_id"},
      {q::kClaimPurchaseBusy,
       // One operation at a time per purchase; a lease that ran out means
       // its holder died and the purchase is free again.
       "UPDATE purchases SET busy_with = $3, busy_until = now() + make_interval(secs => $4) "
       "WHERE store_id = $1 AND order_number = $2 AND (busy_until IS NULL OR busy_until < now()) "
       "RETURNING purchase_id"},
      {q::kReleasePurchaseBusy,
       "UPDATE purchases SET busy_with = NULL, busy_until = NULL WHERE purchase_id = $1"},
      {q::kQuoteCommittedAs,
       "SELECT order_number FROM purchases WHERE quote_id = $1::uuid "
       "AND status NOT IN ('failed', 'declined') AND NOT (store_id = $2 AND order_number = $3)"},
      {q::kCloseVendorHoldsOf,
       // The vendor keeps one set of holds per point and client: a release
       // or a new operation there drops them all.
       "UPDATE holds SET status = $3, closed_at = now() WHERE program_id = $1 "
       "AND vendor_customer_id = $2 AND mode = 'vendor' AND status = 'active'"},
      {q::kLockLedger,
       // Serialises ledger checks and holds of one customer at one program.
       "SELECT pg_advisory_xact_lock($1, hashtext($2))"},
      {q::kClaimReconcileBatch,
       // Purchases of the window due for a comparison, oldest compared first;
       // bookings in doubt whatever their age. SKIP LOCKED: replicas share.
       "UPDATE purchases SET reconciled_at = now() WHERE purchase_id IN ("
       "SELECT p.purchase_id FROM purchases p WHERE p.purchase_id IN ("
       "SELECT purchase_id FROM purchase_programs WHERE status LIKE 'in doubt%' "
       "UNION SELECT purchase_id FROM purchases WHERE status IN ('booked', 'confirmed', "
       "'cancelled') AND updated_at > now() - make_interval(secs => $1)) "
       "AND (p.reconciled_at IS NULL OR p.reconciled_at < now() - make_interval(secs => $2)) "
       "AND (p.busy_until IS NULL OR p.busy_until < now()) "
       "ORDER BY p.reconciled_at NULLS FIRST, p.purchase_id LIMIT $3 "
       "FOR UPDATE SKIP LOCKED) RETURNING store_id, order_number"},
      {q::kUpsertMismatch,
       "INSERT INTO reconciliation_mismatches (purchase_id, program_id, kind, broker_value, "
       "vendor_value, resolved_at) VALUES ($1, $2, $3, $4, $5, "
       "CASE WHEN $6::boolean THEN now() END) "
       "ON CONFLICT (purchase_id, program_id, kind) DO UPDATE SET "
       "broker_value = EXCLUDED.broker_value, vendor_value = EXCLUDED.vendor_value, "
       "resolved_at = EXCLUDED.resolved_at"},
      {q::kResolveMismatches,
       // Kinds this comparison no longer finds ($3: the kinds it found).
       "UPDATE reconciliation_mismatches SET resolved_at = now() WHERE purchase_id = $1 "
       "AND program_id = $2 AND resolved_at IS NULL AND kind <> ALL ($3::text[])"},
      {q::kOpenMismatchesByProgram,
       // Every enabled program, with none open too, so its series exist.
       "SELECT pr.code, pr.vendor, count(m.mismatch_id) FROM programs pr "
       "LEFT JOIN reconciliation_mismatches m ON m.program_id = pr.program_id "
       "AND m.resolved_at IS NULL WHERE pr.enabled GROUP BY 1, 2 ORDER BY 1, 2"},
      {q::kPurchaseStatusByOrder,
       "SELECT status FROM purchases WHERE store_id = $1 AND order_number = $2"},
      {q::kDeletePurchaseLines, "DELETE FROM purchase_lines WHERE purchase_id = $1"},
      {q::kDeletePurchasePrograms, "DELETE FROM purchase_programs WHERE purchase_id = $1"},
      {q::kInsertPurchaseLine,
       "INSERT INTO purchase_lines (purchase_id, line_no, sku, barcode, quantity_milli, "
       "unit_price_minor, total_before_minor, discount_minor, total_minor, "
       "min_unit_price_minor, min_total_minor) "
       "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"},
      {q::kInsertPurchaseProgram,
       "INSERT INTO purchase_programs (purchase_id, program_id, vendor_customer_id, "
       "spend_centipoints, status) VALUES ($1, $2, $3, $4, 'pending')"},
      {q::kFinishPurchase,
       // A purchase that went through consumes the holds linked to it, also
       // one that ran out while the purchase was being recovered.
       "WITH consumed AS (UPDATE holds SET status = 'consumed', closed_at = now() "
       "WHERE purchase_id = $1 AND status IN ('active', 'expired') "
       "AND $2::text IN ('booked', 'confirmed')) "
       "UPDATE purchases SET status = $2, spent_centipoints = $3, paid_minor = $4, "
       "earned_centipoints = $5, failure_reason = $6, updated_at = now(), busy_with = NULL, "
       "busy_until = NULL WHERE purchase_id = $1"},
      {q::kUpdatePurchaseProgram,
       "UPDATE purchase_programs SET spent_centipoints = $3, earned_centipoints = $4, "
       "vendor_reference = $5, status = $6, vendor_customer_id = $7, "
       "balance_after_centipoints = $8::bigint "
       "WHERE purchase_id = $1 AND program_id = $2"},
      {q::kPurchaseByOrder,
       "SELECT purchase_id, order_number, quote_id::text, idempotency_key, status, "
       "total_before_minor, discount_minor, total_minor, spent_centipoints, paid_minor, "
       "earned_centipoints, coalesce(failure_reason, ''), extract(epoch FROM created_at)::bigint, "
       "extract(epoch FROM updated_at)::bigint FROM purchases "
       "WHERE store_id = $1 AND order_number = $2"},
      {q::kInsertPurchaseLineDiscount,
       "INSERT INTO purchase_line_discounts (purchase_id, line_no, program_id, campaign, "
       "amount_minor, campaign_code, coupon) VALUES ($1, $2, $3, $4, $5, $6, $7)"},
      {q::kDeletePurchaseLineDiscounts,
       "DELETE FROM purchase_line_discounts WHERE purchase_id = $1"},
      {q::kPurchaseLineDiscounts,
       // Same columns as quote_line_discounts so one reader serves both.
       "SELECT line_no, program_id, campaign, amount_minor, coalesce(campaign_code, ''), "
       "coalesce(coupon, '') FROM purchase_line_discounts "
       "WHERE purchase_id = $1 ORDER BY discount_id"},
      {q::kActiveHoldsByProgram,
       // Every enabled program, with zero holds too, so its series exist.
       "SELECT pr.code, pr.vendor, count(h.hold_id) FROM programs pr "
       "LEFT JOIN holds h ON h.program_id = pr.program_id AND h.status = 'active' "
       "AND h.expires_at > now() WHERE pr.enabled GROUP BY 1, 2 ORDER BY 1, 2"},
      {q::kUnfinishedPurchases,
       // In doubt: the purchase itself, or a program of a purchase that
       // went through (an earn-only booking in doubt), each counted once.
       "SELECT count(*) FILTER (WHERE status = 'pending'), "
       "(SELECT count(*) FROM (SELECT purchase_id FROM purchases WHERE status = 'in_doubt' "
       "UNION SELECT purchase_id FROM purchase_programs WHERE status LIKE 'in doubt%') d), "
       "coalesce(extract(epoch FROM now() - min(updated_at) FILTER (WHERE status = 'pending')), "
       "0)::float8 FROM purchases WHERE status = 'pending'"},
      {q::kPurchaseLines,
       // Same columns as quote_lines so one reader serves both.
       "SELECT line_no, sku, barcode, quantity_milli, unit_price_minor, min_unit_price_minor, "
       "total_before_minor, discount_minor, min_total_minor FROM purchase_lines "
       "WHERE purchase_id = $1 ORDER BY line_no"},
      {q::kPurchasePrograms,
       "SELECT program_id, coalesce(vendor_customer_id, ''), spend_centipoints, spent_centipoints, "
       "earned_centipoints, coalesce(vendor_reference, ''), status, "
       "coalesce(balance_after_centipoints::text, '') FROM purchase_programs "
       "WHERE purchase_id = $1 ORDER BY program_id"},
      {q::kInsertOutbox,
       "INSERT INTO outbox (purchase_id, program_id, operation) VALUES ($1, $2, $3)"},
      {q::kStalePendingPurchases,
       // Pending longer than any commit may run: its broker died mid-commit.
       "SELECT purchase_id, store_id, order_number FROM purchases WHERE status = 'pending' "
       "AND updated_at < now() - make_interval(secs => $1) ORDER BY purchase_id LIMIT 100"},
      {q::kClaimStalePurchase,
       // Moves updated_at on, so another replica's recovery leaves it alone.
       "UPDATE purchases SET updated_at = now() WHERE purchase_id = $1 AND status = 'pending' "
       "AND updated_at < now() - make_interval(secs => $2) RETURNING purchase_id"},
      {q::kSumPurchaseEarned,
       "UPDATE purchases SET earned_centipoints = (SELECT coalesce(sum(earned_centipoints), 0) "
       "FROM purchase_programs WHERE purchase_id = $1), updated_at = now() "
       "WHERE purchase_id = $1"},

      {q::kOutboxPrograms,
       "SELECT DISTINCT program_id FROM outbox WHERE status IN ('waiting', 'sending') "
       "ORDER BY program_id"},
      {q::kOutboxHead,
       // The oldest undelivered entry of a program: entries go out in order.
       "SELECT o.outbox_id, o.purchase_id, o.program_id, o.operation, o.status, o.attempts, "
       "coalesce(o.status = 'sending' AND o.lease_until <= now(), false), "
       "o.next_attempt_at <= now(), p.store_id, p.order_number "
       "FROM outbox o JOIN purchases p USING (purchase_id) "
       "WHERE o.program_id = $1 AND o.status IN ('waiting', 'sending') "
       "ORDER BY o.outbox_id LIMIT 1"},
      {q::kClaimOutbox,
       // Only one sender wins: the row must still be waiting and due.
       "UPDATE outbox SET status = 'sending', attempts = attempts + 1, "
       "lease_until = now() + make_interval(secs => $2) "
       "WHERE outbox_id = $1 AND status = 'waiting' AND next_attempt_at <= now() "
       "RETURNING attempts"},
      {q::kRetryOutbox,
       "UPDATE outbox SET status = 'waiting', last_error = $2, lease_until = NULL, "
       "next_attempt_at = now() + make_interval(secs => $3) WHERE outbox_id = $1"},
      {q::kFinishOutbox,
       "UPDATE outbox SET status = $2, last_error = $3, lease_until = NULL, finished_at = now() "
       "WHERE outbox_id = $1"},
      {q::kOutboxBacklog,
       // Every enabled program, with an empty outbox too, so its series exist.
       "SELECT pr.code, pr.vendor, count(o.outbox_id), "
       "coalesce(extract(epoch FROM now() - min(o.created_at)), 0)::float8 FROM programs pr "
       "LEFT JOIN outbox o ON o.program_id = pr.program_id "
       "AND o.status IN ('waiting', 'sending') WHERE pr.enabled GROUP BY 1, 2 ORDER BY 1, 2"},

      {q::kInsertVendorOperation,
       "INSERT INTO vendor_operations (store_id, program_id, operation, quote_id, purchase_id, "
       "hold_id, outcome, maybe_applied, amount_minor, points_centipoints, vendor_reference, "
       "decline_field, message, latency_us, started_at) VALUES ($1, $2, $3, $4::uuid, $5, "
       "$6::uuid, $7, $8, $9::bigint, $10::bigint, $11, $12, $13, $14, "
       "to_timestamp($15::double precision / 1000000))"},

      {q::kClaimIdempotencyKey,
       "INSERT INTO idempotency_keys (store_id, idempotency_key, method, request_hash, state) "
       "VALUES ($1, $2, $3, $4, 'in_progress') ON CONFLICT DO NOTHING"},
      {q::kIdempotencyKey,
       "SELECT method, request_hash, state, coalesce(status_code, 0), "
       "coalesce(status_message, ''), response, status_details FROM idempotency_keys "
       "WHERE store_id = $1 AND idempotency_key = $2"},
      {q::kCompleteIdempotencyKey,
       "UPDATE idempotency_keys SET state = 'completed', status_code = $3, status_message = $4, "
       "response = $5, status_details = $6, completed_at = now() "
       "WHERE store_id = $1 AND idempotency_key = $2"},
      {q::kForgetIdempotencyKey,
       "DELETE FROM idempotency_keys WHERE store_id = $1 AND idempotency_key = $2 "
       "AND state = 'in_progress'"},
  };
  return kQueries;
}

}  // namespace loyalty::broker
