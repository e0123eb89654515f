"""Lead routing by temperature tier."""

from __future__ import annotations

from sales_funnel.engine.reassignment.ranking import route_lead


def test_route_lead_goes_to_the_least_loaded_of_the_matching_tier():
	tiers = {"a@x.com": "top", "b@x.com": "top", "c@x.com": "middle", "d@x.com": "rest"}
	load = {"a@x.com": 5, "b@x.com": 2}
	assert route_lead(tiers, load, "Hot")[0] == "b@x.com"
	assert route_lead(tiers, load, "Warm")[0] == "c@x.com"
	assert route_lead(tiers, load, "Cold")[0] == "d@x.com"
	assert route_lead(tiers, load, None)[0] is None
	assert route_lead({}, load, "Hot") == (None, route_lead({}, {}, "Hot")[1])
	assert route_lead({}, {}, "Hot")[1].english() == "Nobody is in the pool; the Lead is not routed."


def test_route_lead_with_a_pool_of_one_or_two_routes_every_temperature():
	# one manager, ranked (top) or not (rest): every Lead goes to them
	for tier in ("top", "rest"):
		for temperature in ("Hot", "Warm", "Cold"):
			assert route_lead({"a@x.com": tier}, {}, temperature)[0] == "a@x.com", (tier, temperature)
	# two ranked managers: a is the top third (ceil(2 / 3) = 1), b the middle; nobody is in the rest
	two = {"a@x.com": "top", "b@x.com": "middle"}
	assert [route_lead(two, {}, t)[0] for t in ("Hot", "Warm", "Cold")] == ["a@x.com", "b@x.com", "b@x.com"]
	user, why = route_lead(two, {"b@x.com": 4}, "Cold")
	assert user == "b@x.com"
	assert why.english() == (
		"Cold Lead to the Middle tier, the nearest with managers (nobody is in the Rest tier); "
		"least loaded there (4 open deals)."
	)
	# one ranked (top) and one unranked (rest): a Warm Lead goes up to the top tier, the better one first
	mixed = {"a@x.com": "top", "b@x.com": "rest"}
	assert [route_lead(mixed, {}, t)[0] for t in ("Hot", "Warm", "Cold")] == ["a@x.com", "a@x.com", "b@x.com"]
