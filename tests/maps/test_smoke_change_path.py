import uuid

from maps.models import Change, Stage


def test_a_rest_change_is_applied_logged_and_acknowledged(client_for, journey_map, member):
    stage_id = str(uuid.uuid4())
    change_id = str(uuid.uuid4())
    body = {
        "id": change_id,
        "ops": [{"type": "stage.create", "id": stage_id, "name": "Nhận thức", "position": "a0"}],
    }

    response = client_for(member).post(f"/api/maps/{journey_map.id}/changes/", body, format="json")

    assert response.status_code == 200
    assert response.json() == {"revision": 1, "id": change_id}
    assert Stage.objects.get(pk=stage_id).name == "Nhận thức"
    logged = Change.objects.get(map=journey_map)
    assert (logged.revision, str(logged.change_id), logged.actor) == (1, change_id, member)
